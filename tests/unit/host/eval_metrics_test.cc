// Issue 17 item 3: `vigil eval`'s numbers (host/eval/eval_metrics.h) and its
// corpus CSV reading (host/eval/eval_corpus.h) on cases small enough to check
// by hand.
#include "eval/eval_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eval/eval_corpus.h"

namespace vigil::eval {
namespace {

TEST(EvalMetrics, CurveAtEveryDistinctScoreWithTies) {
  // Positives score .9, .8, .8 and one has no score; negatives .8, .3 and two
  // no score.
  const std::vector<Scored> items = {{0.9, true},           {0.8, true},          {0.8, true},
                                     {std::nullopt, true},  {0.8, false},         {0.3, false},
                                     {std::nullopt, false}, {std::nullopt, false}};
  const Curve curve = ComputeCurve(items);
  EXPECT_EQ(curve.positives, 4);
  EXPECT_EQ(curve.negatives, 4);
  ASSERT_EQ(curve.points.size(), 3u);
  EXPECT_DOUBLE_EQ(curve.points[0].threshold, 0.9);
  EXPECT_EQ(curve.points[0].confusion.tp, 1);
  EXPECT_EQ(curve.points[0].confusion.fp, 0);
  EXPECT_DOUBLE_EQ(curve.points[1].threshold,
                   0.8);  // the three tied items enter together
  EXPECT_EQ(curve.points[1].confusion.tp, 3);
  EXPECT_EQ(curve.points[1].confusion.fp, 1);
  EXPECT_EQ(curve.points[1].confusion.fn, 1);
  EXPECT_EQ(curve.points[1].confusion.tn, 3);
  EXPECT_EQ(curve.points[2].confusion.fp, 2);
  // ROC: (0,0) (0,.25) (.25,.75) (.5,.75) (1,1): 0 + .25*(.25+.75)/2 + .25*.75
  // + .5*1.75/2.
  ASSERT_TRUE(curve.roc_auc);
  EXPECT_DOUBLE_EQ(*curve.roc_auc, 0.125 + 0.1875 + 0.4375);
  // The same as counting pairs a positive wins (ties half): (4 + 3.5 + 3.5 + 1)
  // / 16.
  EXPECT_DOUBLE_EQ(*curve.roc_auc, 12.0 / 16);
  // AP: .25 * 1 + .5 * 3/4 + 0 * 3/5.
  ASSERT_TRUE(curve.average_precision);
  EXPECT_DOUBLE_EQ(*curve.average_precision, 0.25 + 0.375);
  ASSERT_TRUE(curve.best_f1);
  EXPECT_DOUBLE_EQ(curve.best_f1->threshold, 0.8);
  EXPECT_DOUBLE_EQ(curve.best_f1->confusion.f1(), 0.75);
}

TEST(EvalMetrics, PerfectAndUndefinedCases) {
  const Curve perfect =
      ComputeCurve({{1.0, true}, {0.5, true}, {0.2, false}, {std::nullopt, false}});
  EXPECT_DOUBLE_EQ(*perfect.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(*perfect.average_precision, 1.0);
  const Curve no_positives = ComputeCurve({{0.4, false}, {std::nullopt, false}});
  EXPECT_FALSE(no_positives.roc_auc);
  EXPECT_FALSE(no_positives.average_precision);
  EXPECT_EQ(no_positives.points.size(), 1u);
  EXPECT_DOUBLE_EQ(no_positives.points[0].confusion.precision(), 0.0);
  const Curve nothing_scored = ComputeCurve({{std::nullopt, true}, {std::nullopt, false}});
  EXPECT_TRUE(nothing_scored.points.empty());
  EXPECT_DOUBLE_EQ(*nothing_scored.roc_auc, 0.5);  // the chance diagonal
  EXPECT_FALSE(nothing_scored.best_f1);
  EXPECT_TRUE(ComputeCurve({}).points.empty());
}

TEST(EvalMetrics, CountAndRatios) {
  const Confusion c = Count({true, true, false, false, true}, {true, false, true, false, true});
  EXPECT_EQ(c.tp, 2);
  EXPECT_EQ(c.fp, 1);
  EXPECT_EQ(c.fn, 1);
  EXPECT_EQ(c.tn, 1);
  EXPECT_DOUBLE_EQ(c.precision(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.recall(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.f1(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.false_positive_rate(), 0.5);
  const Confusion none;
  EXPECT_DOUBLE_EQ(none.precision(), 0);
  EXPECT_DOUBLE_EQ(none.f1(), 0);
}

TEST(EvalMetrics, NearestRankPercentiles) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  EXPECT_DOUBLE_EQ(Percentile(v, 50), 50);
  EXPECT_DOUBLE_EQ(Percentile(v, 99), 99);
  EXPECT_DOUBLE_EQ(Percentile(v, 100), 100);
  EXPECT_DOUBLE_EQ(Percentile({7}, 99), 7);
  EXPECT_DOUBLE_EQ(Percentile({3, 1, 2}, 50), 2);
  EXPECT_DOUBLE_EQ(Percentile({}, 50), 0);
}

TEST(EvalCorpus, CsvFieldsAndQuotes) {
  std::vector<std::string> f;
  std::string error;
  ASSERT_TRUE(SplitCsvLine("a.jpg,known,A1", f, error));
  EXPECT_EQ(f, (std::vector<std::string>{"a.jpg", "known", "A1"}));
  ASSERT_TRUE(SplitCsvLine("\"x, \"\"y\"\".jpg\",benign,", f, error));
  EXPECT_EQ(f, (std::vector<std::string>{"x, \"y\".jpg", "benign", ""}));
  EXPECT_FALSE(SplitCsvLine("\"open,known", f, error));
  EXPECT_EQ(error, "unterminated quote");
  EXPECT_FALSE(SplitCsvLine("\"a\"b,known", f, error));
  EXPECT_EQ(error, "text after a closing quote");
  EXPECT_TRUE(ValidLabel("A1.b_c-2"));
  EXPECT_FALSE(ValidLabel(""));
  EXPECT_FALSE(ValidLabel("has space"));
  EXPECT_FALSE(ValidLabel(std::string(65, 'a')));
}

TEST(EvalCorpus, PathsRelativeToTheCsvAndLineNumbers) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("vigil-eval-corpus-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "a.png") << "x";
  std::ofstream(dir / "c.csv") << "path,label,category\r\nsub/a.png,known,A1\r\n\r\n# note\n"
                                  "sub/none.png,known\n";
  const Corpus corpus = ReadCorpus((dir / "c.csv").string());
  ASSERT_EQ(corpus.items.size(), 1u);
  EXPECT_EQ(corpus.items[0].line, 2);
  EXPECT_EQ(corpus.items[0].path, fs::weakly_canonical(dir / "sub" / "a.png").string());
  EXPECT_EQ(corpus.items[0].category, "A1");
  ASSERT_EQ(corpus.problems.size(), 1u);
  EXPECT_EQ(corpus.problems[0], (dir / "c.csv").string() + ":5: no such file " +
                                    (fs::weakly_canonical(dir / "sub" / "none.png")).string());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::eval
