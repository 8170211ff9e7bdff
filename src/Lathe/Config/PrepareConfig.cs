namespace Lathe.Config;

/// <summary>How the data is cleaned and transformed before the model sees it. Every statistic (medians,
/// scales, categories, outlier bounds) is fitted on the training part only.</summary>
public sealed record PrepareConfig
{
    /// <summary>Exact duplicate rows, dropped before the split so no row sits in both training and test.
    /// <c>Auto</c> drops them when they are rare (under 1% of rows: accidental repeats) and keeps them when
    /// common (natural repeats in data with few, coarse columns, which dropping would distort).</summary>
    public DuplicateHandling Duplicates { get; init; } = DuplicateHandling.Auto;
    public NumericImputation ImputeNumeric { get; init; } = NumericImputation.Median;
    /// <summary>The number filled in when <see cref="ImputeNumeric"/> is constant.</summary>
    public double ImputeValue { get; init; }
    public CategoricalImputation ImputeCategorical { get; init; } = CategoricalImputation.Mode;
    /// <summary>Add a 0/1 column per numeric column with missing values in training, marking where a value was filled in.</summary>
    public bool MissingIndicators { get; init; }
    /// <summary>Drop a feature column missing in more than this share of training rows; 1 keeps every column.</summary>
    public double DropColumnsAbove { get; init; } = 0.95;
    /// <summary>Drop a row (before the split) missing more than this share of its feature values; 1 keeps every row.</summary>
    public double DropRowsAbove { get; init; } = 1;
    public OutlierMethod Outliers { get; init; } = OutlierMethod.None;
    /// <summary>IQR: how many interquartile ranges beyond the quartiles (1.5); z-score: how many standard deviations (3).</summary>
    public double OutlierThreshold { get; init; } = 1.5;
    /// <summary>Clip outliers everywhere, or drop the training rows that have one (other rows are still clipped).</summary>
    public OutlierAction OutlierAction { get; init; } = OutlierAction.Clip;
    /// <summary>Make skewed numeric columns symmetric before scaling: auto (Yeo-Johnson where training skewness exceeds 1), log, box_cox, yeo_johnson, or none.</summary>
    public TransformKind Transform { get; init; } = TransformKind.None;
    /// <summary>Replace numeric columns by their quantile bin (0–1) with this many bins; 0 keeps the values.</summary>
    public int Bins { get; init; }
    /// <summary>Piecewise-linear encoding: each number becomes this many [0, 1] columns over quantile bins fitted on
    /// training (after scaling); 0 keeps the number as one column.</summary>
    public int PiecewiseLinearBins { get; init; }

    /// <summary>A number whose own values predict the target better than its quantile bins (tested out of fold on the
    /// training rows) also enters as a category of up to this many of its most frequent shared values
    /// (<see cref="Lathe.Data.Transforms.ValueCategories"/>); 0 leaves numbers as numbers.</summary>
    public int ValueCategories { get; init; }

    /// <summary>With piecewise-linear encoding, keep each number (as scaled) beside its bins.</summary>
    public bool PiecewiseLinearNumber { get; init; }
    public ScaleKind Scale { get; init; } = ScaleKind.Standard;
    public EncodeKind Encode { get; init; } = EncodeKind.OneHot;
    /// <summary>Buckets per categorical column when <see cref="Encode"/> is hashing.</summary>
    public int HashBuckets { get; init; } = 32;
    /// <summary>Target encoding: the prior's weight m in (n·category mean + m·prior) / (n + m); 0 uses the category means as they are.</summary>
    public double TargetSmoothing { get; init; } = 10;
    /// <summary>Target encoding: the folds over the training part that give training rows their out-of-fold values.</summary>
    public int TargetFolds { get; init; } = 5;
    /// <summary>Free-text columns: none leaves them out; words turns each into TF-IDF word features; bpe into TF-IDF
    /// features over byte-pair-encoding subwords learned from the training rows.</summary>
    public TextHandling Text { get; init; } = TextHandling.None;
    /// <summary>Vocabulary size per text column: the most words kept (those in at least two training rows, most
    /// frequent first), or the BPE vocabulary (characters and merged subwords).</summary>
    public int TextVocabulary { get; init; } = 1000;
    /// <summary>Unicode compatibility normalisation (NFKC) of text before it is tokenised.</summary>
    public bool TextNfkc { get; init; } = true;
    public bool TextLowercase { get; init; } = true;
    /// <summary>Runs of white space become one space, none at either end.</summary>
    public bool TextCollapseWhitespace { get; init; } = true;
    /// <summary>Look for training rows whose label the data disagrees with (out-of-fold, confident learning); listed in label_issues.csv.</summary>
    public bool LabelIssues { get; init; }
    /// <summary>Also drop those rows from training.</summary>
    public bool RemoveLabelIssues { get; init; }
    /// <summary>Derived columns: name → formula over numeric columns (<c>bmi: weight / height ^ 2</c>).</summary>
    public IReadOnlyDictionary<string, string> Derive { get; init; } = new Dictionary<string, string>();
    /// <summary>Drop the later of two features correlated at least this much on training, and constant features; 1 keeps all.</summary>
    public double DropCorrelated { get; init; } = 0.98;
    /// <summary>A date's calendar cycles (month, day, weekday, hour): kept only where a permutation test on the training part
    /// finds them related to the target (auto), or always (all). Year and days elapsed are always kept.</summary>
    public DatePartSelection DateParts { get; init; } = DatePartSelection.Auto;
    /// <summary>Images: center crop, grayscale and resize, as fitted steps.</summary>
    public ImageConfig Image { get; init; } = new();
}

public enum DuplicateHandling { Auto, Keep, Drop }

public enum DatePartSelection { Auto, All }

public enum NumericImputation { Median, Mean, Zero, Constant }

public enum CategoricalImputation { Mode, Missing }

/// <summary>Outliers are clipped to bounds fitted on the training part: quartiles ± k·IQR, or mean ± k·std.</summary>
public enum OutlierMethod { None, Iqr, Zscore }

public enum ScaleKind { Standard, Minmax, Robust, None }

public enum EncodeKind { OneHot, Ordinal, Hashing, Target }

public enum TextHandling { None, Words, Bpe }

public enum TransformKind { None, Auto, Log, BoxCox, YeoJohnson }

/// <summary>What happens to a training row with an outlier: its value is clipped to the bounds, or the row is
/// dropped from training. Validation, test and prediction rows are always clipped: they cannot be dropped.</summary>
public enum OutlierAction { Clip, Drop }
