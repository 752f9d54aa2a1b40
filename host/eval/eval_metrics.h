// Issue 17 item 3 (`vigil eval`): how good a detector is against labelled
// items. Pure functions over (score, truth) pairs, so the numbers can be
// checked by hand.
//
// A detector's score for an item is the highest score among its detections on
// that item; an item it reported nothing on has no score and is predicted
// negative at every threshold. At threshold t an item is predicted positive
// when it has a score >= t.
#ifndef VIGIL_HOST_EVAL_EVAL_METRICS_H_
#define VIGIL_HOST_EVAL_EVAL_METRICS_H_

#include <cstdint>
#include <optional>
#include <vector>

namespace vigil::eval {

struct Scored {
  std::optional<double> score;  // none: the detector reported nothing on the item
  bool positive = false;        // the item's label is the one being measured
};

struct Confusion {
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
  // 0 when undefined (no predicted positives, no positives, ...), as
  // scikit-learn's zero_division=0 does; the JSON also gives the counts, so
  // nothing is hidden.
  double precision() const;
  double recall() const;  // = true positive rate
  double f1() const;
  double false_positive_rate() const;
};

// One threshold: every distinct score, highest first.
struct CurvePoint {
  double threshold = 0;
  Confusion confusion;
};

struct Curve {
  int64_t positives = 0;
  int64_t negatives = 0;
  std::vector<CurvePoint> points;  // thresholds descending
  // Area under the ROC curve through (0,0), every point and (1,1), by the
  // trapezoid rule (equal to the probability that a positive outscores a
  // negative, ties counting half); empty without both positives and negatives.
  std::optional<double> roc_auc;
  // Sum over thresholds of (recall step) x precision; empty without positives.
  std::optional<double> average_precision;
  // The threshold with the highest F1 (the higher threshold on ties); empty
  // without points.
  std::optional<CurvePoint> best_f1;
};

Curve ComputeCurve(const std::vector<Scored>& items);

// Counts predicted-positive flags against truth.
Confusion Count(const std::vector<bool>& predicted, const std::vector<bool>& truth);

// The q-th percentile (0..100) by the nearest-rank method: the smallest value
// with at least q% of the values at or below it. 0 for no values.
double Percentile(std::vector<double> values, double q);

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_EVAL_METRICS_H_
