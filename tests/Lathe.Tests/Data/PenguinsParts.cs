using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;

namespace Lathe.Tests.Data;

/// <summary>The penguins table split as training splits it, typed by its schema: the input of the transform tests.</summary>
public static class PenguinsParts
{
    public static (Table Train, Table Validation, DataSchema Schema) Typed()
    {
        var (train, validation, schema) = Raw();
        return (TypeCoercion.Apply(train, schema), TypeCoercion.Apply(validation, schema), schema);
    }

    public static (Table Train, Table Validation, DataSchema Schema) Raw()
    {
        var table = DataSource.Open(TestData.Vega("penguins.json")).Read();
        var classes = FittedTarget.Fit(table["Species"], Lathe.Config.TaskKind.Classification, []).EncodeClasses(table);
        var parts = HoldoutSplit.Split(table.RowCount, new Lathe.Config.SplitConfig(), 42, classes);
        return (table.Gather(parts.Train), table.Gather(parts.Validation), SchemaInference.Infer(table, "Species"));
    }
}
