#include "eval/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace vigil::eval {
namespace {

double Ratio(int64_t a, int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / b; }

}  // namespace

double Confusion::precision() const { return Ratio(tp, tp + fp); }
double Confusion::recall() const { return Ratio(tp, tp + fn); }
double Confusion::false_positive_rate() const { return Ratio(fp, fp + tn); }
double Confusion::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

Curve ComputeCurve(const std::vector<Scored>& items) {
  Curve curve;
  std::vector<std::pair<double, bool>> scored;  // (score, positive) of items with a score
  for (const Scored& item : items) {
    (item.positive ? curve.positives : curve.negatives)++;
    if (item.score) scored.emplace_back(*item.score, item.positive);
  }
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  Confusion running;
  for (size_t i = 0; i < scored.size();) {
    const double threshold = scored[i].first;
    for (; i < scored.size() && scored[i].first == threshold; ++i) {
      (scored[i].second ? running.tp : running.fp)++;
    }
    CurvePoint point;
    point.threshold = threshold;
    point.confusion = running;
    point.confusion.fn = curve.positives - running.tp;
    point.confusion.tn = curve.negatives - running.fp;
    curve.points.push_back(point);
  }
  if (curve.positives > 0 && curve.negatives > 0) {
    double area = 0, x = 0, y = 0;
    auto to = [&](double nx, double ny) {
      area += (nx - x) * (y + ny) / 2;
      x = nx;
      y = ny;
    };
    for (const CurvePoint& p : curve.points) {
      to(p.confusion.false_positive_rate(), p.confusion.recall());
    }
    to(1.0, 1.0);
    curve.roc_auc = area;
  }
  if (curve.positives > 0) {
    double ap = 0, previous_recall = 0;
    for (const CurvePoint& p : curve.points) {
      ap += (p.confusion.recall() - previous_recall) * p.confusion.precision();
      previous_recall = p.confusion.recall();
    }
    curve.average_precision = ap;
  }
  for (const CurvePoint& p : curve.points) {
    if (!curve.best_f1 || p.confusion.f1() > curve.best_f1->confusion.f1()) curve.best_f1 = p;
  }
  return curve;
}

Confusion Count(const std::vector<bool>& predicted, const std::vector<bool>& truth) {
  Confusion c;
  for (size_t i = 0; i < predicted.size() && i < truth.size(); ++i) {
    if (predicted[i]) {
      (truth[i] ? c.tp : c.fp)++;
    } else {
      (truth[i] ? c.fn : c.tn)++;
    }
  }
  return c;
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(q / 100.0 * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

}  // namespace vigil::eval
