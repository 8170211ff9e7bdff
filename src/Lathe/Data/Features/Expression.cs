using System.Globalization;

namespace Lathe.Data.Features;

/// <summary>A formula over columns, as written in the config: numbers, column names (plain, or in
/// backticks when they have spaces: <c>`Body Mass (g)`</c>), + − * / ^, parentheses, and the functions
/// log, log1p, exp, sqrt, abs, min and max. Evaluated a whole column at a time; a missing value anywhere
/// in a row makes the result missing there.</summary>
public sealed class Expression
{
    private readonly Node _root;

    private Expression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>The columns the formula reads.</summary>
    public IReadOnlyList<string> Columns => _root.Columns().Distinct().ToArray();

    public static Expression Parse(string text) => new(text, new Parser(text).ParseAll());

    public double[] Evaluate(Func<string, double[]> column, int rows) => _root.Evaluate(column, rows);

    /// <summary>A value of one row, read from its fields' values.</summary>
    public delegate double RowValue(ReadOnlySpan<double> values);

    /// <summary>The formula for one row at a time, each column read by <paramref name="column"/>'s function: the same
    /// operations in the same order as <see cref="Evaluate"/>, so a row's value has the same bits as its cell in the column.</summary>
    public RowValue Compile(Func<string, RowValue> column) => _root.Compile(column);

    private abstract record Node
    {
        public abstract double[] Evaluate(Func<string, double[]> column, int rows);
        public abstract RowValue Compile(Func<string, RowValue> column);
        public virtual IEnumerable<string> Columns() => [];
    }

    private sealed record Number(double Value) : Node
    {
        public override double[] Evaluate(Func<string, double[]> column, int rows) => Enumerable.Repeat(Value, rows).ToArray();

        public override RowValue Compile(Func<string, RowValue> column)
        {
            var value = Value;
            return _ => value;
        }
    }

    private sealed record ColumnRef(string Name) : Node
    {
        public override double[] Evaluate(Func<string, double[]> column, int rows) => column(Name);
        public override RowValue Compile(Func<string, RowValue> column) => column(Name);
        public override IEnumerable<string> Columns() => [Name];
    }

    private sealed record Apply(string Name, Func<double[], double> Function, Node[] Arguments) : Node
    {
        public override double[] Evaluate(Func<string, double[]> column, int rows)
        {
            var arguments = Arguments.Select(a => a.Evaluate(column, rows)).ToArray();
            var result = new double[rows];
            var values = new double[arguments.Length];
            for (var i = 0; i < rows; i++)
            {
                for (var a = 0; a < arguments.Length; a++) values[a] = arguments[a][i];
                var value = Function(values);
                result[i] = double.IsFinite(value) ? value : double.NaN;
            }
            return result;
        }

        public override RowValue Compile(Func<string, RowValue> column)
        {
            var arguments = Arguments.Select(a => a.Compile(column)).ToArray();
            var function = Function;
            return row =>
            {
                var values = new double[arguments.Length];
                for (var a = 0; a < arguments.Length; a++) values[a] = arguments[a](row);
                var value = function(values);
                return double.IsFinite(value) ? value : double.NaN;
            };
        }

        public override IEnumerable<string> Columns() => Arguments.SelectMany(a => a.Columns());
    }

    private static readonly Dictionary<string, (int Arity, Func<double[], double> Function)> Functions = new()
    {
        ["log"] = (1, a => Math.Log(a[0])),
        ["log1p"] = (1, a => Math.Log(1 + a[0])),
        ["exp"] = (1, a => Math.Exp(a[0])),
        ["sqrt"] = (1, a => Math.Sqrt(a[0])),
        ["abs"] = (1, a => Math.Abs(a[0])),
        ["min"] = (2, a => Math.Min(a[0], a[1])),
        ["max"] = (2, a => Math.Max(a[0], a[1])),
    };

    /// <summary>expression := term (('+'|'-') term)*; term := power (('*'|'/') power)*;
    /// power := unary ('^' power)?; unary := '-' unary | atom; atom := number | name | `name` | call | '(' expression ')'.</summary>
    private sealed class Parser(string text)
    {
        private int _at;

        public Node ParseAll()
        {
            var node = Sum();
            Skip();
            if (_at < text.Length) throw Error($"unexpected '{text[_at]}'");
            return node;
        }

        private Node Sum()
        {
            var node = Product();
            while (Accept('+') is var plus && (plus || Accept('-')))
            {
                var right = Product();
                node = plus ? new Apply("+", a => a[0] + a[1], [node, right]) : new Apply("-", a => a[0] - a[1], [node, right]);
            }
            return node;
        }

        private Node Product()
        {
            var node = Power();
            while (Accept('*') is var times && (times || Accept('/')))
            {
                var right = Power();
                node = times ? new Apply("*", a => a[0] * a[1], [node, right]) : new Apply("/", a => a[0] / a[1], [node, right]);
            }
            return node;
        }

        private Node Power()
        {
            var node = Unary();
            return Accept('^') ? new Apply("^", a => Math.Pow(a[0], a[1]), [node, Power()]) : node;
        }

        private Node Unary() => Accept('-') ? new Apply("neg", a => -a[0], [Unary()]) : Atom();

        private Node Atom()
        {
            Skip();
            if (_at >= text.Length) throw Error("the formula ends too early");
            var c = text[_at];
            if (Accept('('))
            {
                var inner = Sum();
                Expect(')');
                return inner;
            }
            if (c == '`')
            {
                var end = text.IndexOf('`', _at + 1);
                if (end < 0) throw Error("a `quoted column name` is never closed");
                var name = text[(_at + 1)..end];
                _at = end + 1;
                return new ColumnRef(name);
            }
            if (char.IsAsciiDigit(c) || c == '.')
            {
                var start = _at;
                while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] is '.' or 'e' or 'E' || (text[_at] is '+' or '-' && text[_at - 1] is 'e' or 'E'))) _at++;
                return double.TryParse(text[start.._at], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? new Number(number)
                    : throw Error($"'{text[start.._at]}' is not a number");
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = _at;
                while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] is '_' or '.')) _at++;
                var name = text[start.._at];
                if (!Accept('(')) return new ColumnRef(name);
                if (!Functions.TryGetValue(name, out var function))
                    throw Error($"unknown function '{name}' — use {string.Join(", ", Functions.Keys)}");
                var arguments = new List<Node> { Sum() };
                while (Accept(',')) arguments.Add(Sum());
                Expect(')');
                if (arguments.Count != function.Arity) throw Error($"{name} takes {function.Arity} argument(s), got {arguments.Count}");
                return new Apply(name, function.Function, arguments.ToArray());
            }
            throw Error($"unexpected '{c}'");
        }

        private bool Accept(char c)
        {
            Skip();
            if (_at >= text.Length || text[_at] != c) return false;
            _at++;
            return true;
        }

        private void Expect(char c)
        {
            if (!Accept(c)) throw Error($"expected '{c}'");
        }

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
        }

        private DataException Error(string message) => new($"formula \"{text}\", at character {_at + 1}: {message}");
    }
}
