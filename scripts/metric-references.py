# Reference numbers for tests/Lathe.Tests/Evaluation/ClassificationMetricsTests.cs and RegressionMetricsTests.cs.
# Real predictions on small, real cases, computed with scikit-learn (Debian python3-sklearn 1.2.1):
#   /usr/bin/python3 scripts/metric-references.py
# Penguins: a logistic regression on beak length alone (weak on purpose, so classes mix), every 12th row
# as the evaluated rows, probabilities rounded to two decimals (which makes tied scores for ROC-AUC).
# Cars: a linear regression of Miles_per_Gallon on Horsepower, every 25th row, predictions to one decimal.
import json
import numpy as np
from sklearn import metrics
from sklearn.linear_model import LinearRegression, LogisticRegression

def load(name):
    with open(f"data/vega-datasets/data/{name}") as f:
        return json.load(f)

penguins = [r for r in load("penguins.json") if r["Beak Length (mm)"] is not None]
classes = sorted({r["Species"] for r in penguins})
x = np.array([[r["Beak Length (mm)"]] for r in penguins])
y = np.array([classes.index(r["Species"]) for r in penguins])
model = LogisticRegression(C=0.05, max_iter=1000).fit(x, y)
rows = list(range(0, len(y), 12))
p = np.round(model.predict_proba(x[rows]), 2)
p[:, 2] = np.round(1 - p[:, 0] - p[:, 1], 2)
truth = y[rows]
predicted = p.argmax(axis=1)
print("classes", classes)
print("truth", ", ".join(map(str, truth)))
print("probabilities", ", ".join(f"{v:.2f}f" for v in p.ravel()))
for average in ["macro", "weighted"]:
    print(average, "precision", metrics.precision_score(truth, predicted, average=average, zero_division=0))
    print(average, "recall", metrics.recall_score(truth, predicted, average=average, zero_division=0))
    print(average, "f1", metrics.f1_score(truth, predicted, average=average, zero_division=0))
print("accuracy", metrics.accuracy_score(truth, predicted))
print("balanced_accuracy", metrics.balanced_accuracy_score(truth, predicted))
print("roc_auc", metrics.roc_auc_score(truth, p, multi_class="ovr", average="macro"))
print("log_loss", metrics.log_loss(truth, p, labels=[0, 1, 2]))
print("confusion", metrics.confusion_matrix(truth, predicted).tolist())
print("average_precision class 0", metrics.average_precision_score(truth == 0, p[:, 0]))
# Expected calibration error (not in scikit-learn): top-class confidence in ten equal bins.
confidence = p.max(axis=1)
bins = np.minimum((confidence * 10).astype(int), 9)
ece = sum((bins == b).sum() / len(truth) * abs((predicted[bins == b] == truth[bins == b]).mean() - confidence[bins == b].mean())
          for b in range(10) if (bins == b).any())
print("ece", ece)

cars = [r for r in load("cars.json") if r["Horsepower"] is not None and r["Miles_per_Gallon"] is not None]
hx = np.array([[r["Horsepower"]] for r in cars])
hy = np.array([r["Miles_per_Gallon"] for r in cars], dtype=float)
line = LinearRegression().fit(hx, hy)
rows = list(range(0, len(hy), 25))
truth = hy[rows]
predicted = np.round(line.predict(hx[rows]), 1)
print("cars truth", ", ".join(f"{v:g}" for v in truth))
print("cars predicted", ", ".join(f"{v:g}" for v in predicted))
print("rmse", metrics.mean_squared_error(truth, predicted, squared=False))
print("mae", metrics.mean_absolute_error(truth, predicted))
print("mape", metrics.mean_absolute_percentage_error(truth, predicted))
print("r2", metrics.r2_score(truth, predicted))
