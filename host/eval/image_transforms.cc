#include "eval/image_transforms.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vigil/decode/image_decoder.h"

namespace vigil::eval {
namespace {

// A strength per number, labelled the way the report prints it.
std::vector<TransformStrength> Strengths(std::initializer_list<double> values, const char* format) {
  std::vector<TransformStrength> out;
  for (double v : values) {
    char label[32];
    std::snprintf(label, sizeof label, format, v);
    out.push_back({label, v});
  }
  return out;
}

// Wraps the packed RGB rows without copying (OpenCV never writes through it here).
cv::Mat View(const RgbImage& image) {
  return cv::Mat(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC3,
                 const_cast<uint8_t*>(image.pixels.data()));
}

RgbImage FromMat(const cv::Mat& mat) {
  RgbImage out;
  out.width = static_cast<uint32_t>(mat.cols);
  out.height = static_cast<uint32_t>(mat.rows);
  out.pixels.resize(static_cast<size_t>(mat.cols) * mat.rows * 3);
  cv::Mat packed(mat.rows, mat.cols, CV_8UC3, out.pixels.data());
  mat.copyTo(packed);
  return out;
}

// At least one pixel per side, whatever the factor.
int Scaled(uint32_t side, double factor) {
  return std::max(1, static_cast<int>(std::lround(side * factor)));
}

RgbImage Resize(const RgbImage& in, double factor) {
  cv::Mat out;
  // Area averaging when shrinking (what image editors do), bilinear when enlarging.
  cv::resize(View(in), out, cv::Size(Scaled(in.width, factor), Scaled(in.height, factor)), 0, 0,
             factor < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return FromMat(out);
}

// Keeps the centre: `fraction` of the width and of the height is cut, half on each side.
RgbImage Crop(const RgbImage& in, double fraction) {
  const int w = Scaled(in.width, 1 - fraction), h = Scaled(in.height, 1 - fraction);
  const int x = (static_cast<int>(in.width) - w) / 2, y = (static_cast<int>(in.height) - h) / 2;
  return FromMat(View(in)(cv::Rect(x, y, w, h)));
}

StatusOr<RgbImage> Jpeg(const RgbImage& in, double quality) {
  cv::Mat bgr;
  cv::cvtColor(View(in), bgr, cv::COLOR_RGB2BGR);  // imencode reads BGR
  std::vector<uint8_t> encoded;
  if (!cv::imencode(".jpg", bgr, encoded, {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(quality)})) {
    return Status::Internal("jpeg: the encoder refused a " + std::to_string(in.width) + "x" +
                            std::to_string(in.height) + " image");
  }
  auto decoded = decode::DecodeImage(encoded.data(), encoded.size());
  if (!decoded.ok())
    return Status::Internal("jpeg: decoding the re-encoded image: " + decoded.status().message());
  RgbImage out;
  out.width = decoded.value().width;
  out.height = decoded.value().height;
  const uint8_t* rows = decoded.value().pixel_data();
  out.pixels.assign(rows, rows + decoded.value().pixel_bytes());
  return out;
}

// Turns the image about its centre on the same canvas (corners cut, black behind), as an
// editor's "rotate" without "expand" does; multiples of 90 degrees are exact.
RgbImage Rotate(const RgbImage& in, double degrees) {
  cv::Mat out;
  if (degrees == 90) {
    cv::rotate(View(in), out, cv::ROTATE_90_COUNTERCLOCKWISE);
  } else if (degrees == 180) {
    cv::rotate(View(in), out, cv::ROTATE_180);
  } else {
    const cv::Point2f centre((in.width - 1) / 2.0f, (in.height - 1) / 2.0f);
    cv::warpAffine(View(in), out, cv::getRotationMatrix2D(centre, degrees, 1.0),
                   cv::Size(static_cast<int>(in.width), static_cast<int>(in.height)),
                   cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  }
  return FromMat(out);
}

RgbImage Flip(const RgbImage& in, double axis) {
  cv::Mat out;
  cv::flip(View(in), out, axis == 0 ? 1 : 0);  // OpenCV: 1 mirrors left-right, 0 top-bottom
  return FromMat(out);
}

// A half-transparent white box with dark text in the bottom-right corner, covering
// `fraction` of the image (3:1 wide when it fits), as a platform's stamp would.
RgbImage Watermark(const RgbImage& in, double fraction) {
  cv::Mat out = View(in).clone();
  const double area = fraction * in.width * in.height;
  int w = std::min<int>(in.width, std::max(1, static_cast<int>(std::sqrt(area * 3))));
  int h = std::min<int>(in.height, std::max(1, static_cast<int>(area / w)));
  w = std::min<int>(in.width, std::max(1, static_cast<int>(area / h)));
  const cv::Rect box(static_cast<int>(in.width) - w, static_cast<int>(in.height) - h, w, h);
  cv::Mat region = out(box);
  cv::addWeighted(region, 0.5, cv::Mat(region.size(), region.type(), cv::Scalar::all(255)), 0.5, 0,
                  region);
  const double scale = std::max(0.1, h / 40.0);
  const int thickness = std::max(1, h / 20);
  int baseline = 0;
  const cv::Size text =
      cv::getTextSize("SAMPLE", cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  const cv::Point at(box.x + std::max(0, (w - text.width) / 2),
                     box.y + std::min(h, (h + text.height) / 2));
  cv::putText(out, "SAMPLE", at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(40, 40, 40), thickness,
              cv::LINE_AA);
  return FromMat(out);
}

// Black bars above and below so that they make `fraction` of the new height.
RgbImage Letterbox(const RgbImage& in, double fraction) {
  const int total = static_cast<int>(std::lround(in.height * fraction / (1 - fraction)));
  cv::Mat out;
  cv::copyMakeBorder(View(in), out, total / 2, total - total / 2, 0, 0, cv::BORDER_CONSTANT,
                     cv::Scalar(0, 0, 0));
  return FromMat(out);
}

// The largest image the enlarging transforms may make (4x a 100 Mpx decode limit would
// not fit in memory on a workstation).
constexpr double kMaxOutputPixels = 400e6;

}  // namespace

const std::vector<TransformSpec>& Transforms() {
  static const std::vector<TransformSpec> kTransforms = {
      {"resize", "scale factor of both sides", Strengths({0.1, 0.25, 0.5, 0.75, 1.5, 2.0}, "x%g"),
       Strengths({0.25, 1.5}, "x%g")},
      {"crop", "share of width and height cut, centred",
       Strengths({0.05, 0.1, 0.2, 0.3, 0.5}, "%g"), Strengths({0.1, 0.3}, "%g")},
      {"jpeg", "JPEG quality of a re-encoding", Strengths({95, 75, 50, 25, 10}, "q%g"),
       Strengths({75, 10}, "q%g")},
      {"rotate", "degrees counter-clockwise, same canvas",
       Strengths({1, 3, 5, 10, 45, 90}, "%g deg"), Strengths({5, 90}, "%g deg")},
      {"flip", "mirror axis", {{"left-right", 0}, {"top-bottom", 1}}, {{"left-right", 0}}},
      {"watermark", "share of the image under a stamp, bottom right",
       Strengths({0.01, 0.05, 0.1, 0.2}, "%g"), Strengths({0.05, 0.2}, "%g")},
      {"letterbox", "share of the new height that is black bars", Strengths({0.1, 0.25, 0.5}, "%g"),
       Strengths({0.25}, "%g")},
  };
  return kTransforms;
}

const TransformSpec* FindTransform(const std::string& name) {
  for (const TransformSpec& spec : Transforms()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

StatusOr<RgbImage> ApplyTransform(const RgbImage& in, const std::string& name, double strength) {
  if (in.width == 0 || in.height == 0 ||
      in.pixels.size() != static_cast<size_t>(in.width) * in.height * 3) {
    return Status::InvalidArgument(name + ": the image has no pixels or a wrong buffer size");
  }
  auto out_of_range = [&](const char* range) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", strength);
    return Status::InvalidArgument(name + ": strength " + value + " is not " + range);
  };
  if (!std::isfinite(strength)) return out_of_range("a number");
  if (name == "resize") {
    if (strength <= 0 || strength > 4) return out_of_range("in (0, 4]");
    if (strength * strength * in.width * in.height > kMaxOutputPixels) {
      return Status::Resource("resize: the result would exceed 400 Mpx");
    }
    return Resize(in, strength);
  }
  if (name == "crop") {
    if (strength < 0 || strength >= 1) return out_of_range("in [0, 1)");
    return Crop(in, strength);
  }
  if (name == "jpeg") {
    if (strength < 1 || strength > 100) return out_of_range("in [1, 100]");
    return Jpeg(in, strength);
  }
  if (name == "rotate") {
    if (strength < -360 || strength > 360) return out_of_range("in [-360, 360]");
    return Rotate(in, strength);
  }
  if (name == "flip") {
    if (strength != 0 && strength != 1) return out_of_range("0 (left-right) or 1 (top-bottom)");
    return Flip(in, strength);
  }
  if (name == "watermark") {
    if (strength <= 0 || strength > 1) return out_of_range("in (0, 1]");
    return Watermark(in, strength);
  }
  if (name == "letterbox") {
    if (strength <= 0 || strength > 0.9) return out_of_range("in (0, 0.9]");
    if (in.width * (in.height / (1 - strength)) > kMaxOutputPixels) {
      return Status::Resource("letterbox: the result would exceed 400 Mpx");
    }
    return Letterbox(in, strength);
  }
  return Status::InvalidArgument("unknown transform '" + name + "'");
}

}  // namespace vigil::eval
