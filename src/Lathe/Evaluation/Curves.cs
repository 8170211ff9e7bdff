namespace Lathe.Evaluation;

/// <summary>ROC and precision–recall curves of one class against the rest, with a point at each distinct
/// score as scikit-learn's <c>roc_curve</c> (without dropping collinear points) and <c>precision_recall_curve</c>.</summary>
public static class Curves
{
    /// <summary>The ROC curve from (0, 0) to (1, 1) and its trapezoidal area; null without both classes.</summary>
    public static Curve? Roc(ReadOnlySpan<bool> positive, ReadOnlySpan<float> scores)
    {
        var (tp, fp) = Cumulative(positive, scores);
        if (tp.Count == 0) return null;
        double positives = tp[^1], negatives = fp[^1];
        if (positives == 0 || negatives == 0) return null;
        var x = new double[tp.Count + 1];
        var y = new double[tp.Count + 1];
        double area = 0;
        for (var i = 0; i < tp.Count; i++)
        {
            x[i + 1] = fp[i] / negatives;
            y[i + 1] = tp[i] / positives;
            area += (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2;
        }
        return new Curve(x, y, area);
    }

    /// <summary>Recall against precision, from the highest threshold down, ending at (0, 1) as scikit-learn's
    /// curve does; the area is the average precision Σ (Rₙ − Rₙ₋₁) Pₙ. Null without a positive row.</summary>
    public static Curve? PrecisionRecall(ReadOnlySpan<bool> positive, ReadOnlySpan<float> scores)
    {
        var (tp, fp) = Cumulative(positive, scores);
        if (tp.Count == 0 || tp[^1] == 0) return null;
        double positives = tp[^1];
        var recall = new double[tp.Count + 1];
        var precision = new double[tp.Count + 1];
        precision[0] = 1;
        double area = 0;
        for (var i = 0; i < tp.Count; i++)
        {
            recall[i + 1] = tp[i] / positives;
            precision[i + 1] = (double)tp[i] / (tp[i] + fp[i]);
            area += (recall[i + 1] - recall[i]) * precision[i + 1];
        }
        return new Curve(recall, precision, area);
    }

    /// <summary>True and false positives counted down the scores, one entry per distinct score (ties together).</summary>
    private static (List<long> TruePositives, List<long> FalsePositives) Cumulative(ReadOnlySpan<bool> positive, ReadOnlySpan<float> scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        // Highest score first; a stable order is not needed because ties are counted together.
        Array.Sort(keys, order, Comparer<float>.Create((a, b) => b.CompareTo(a)));
        var tp = new List<long>();
        var fp = new List<long>();
        long t = 0, f = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (positive[order[i]]) t++;
            else f++;
            if (i + 1 < order.Length && keys[i + 1] == keys[i]) continue;
            tp.Add(t);
            fp.Add(f);
        }
        return (tp, fp);
    }
}
