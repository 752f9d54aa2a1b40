// JPEG through libjpeg-turbo. Errors longjmp out of the library back to Decode();
// a premature end of data, which libjpeg only warns about (and pads with grey), is an
// error here: a truncated file must not silently hash as a different image. That covers
// a file cut short (JWRN_JPEG_EOF), scan data that stops at a marker such as an EOI
// appended to a cut file (JWRN_HIT_MARKER), and a file that ends between scans: a
// progressive image with coefficients never (fully) sent, or a multi-scan sequential
// image with a component that no scan carried.
#include <csetjmp>
#include <cstdio>  // before jpeglib.h, which uses FILE and size_t
#include <cstring>
#include <string>
#include <vector>

// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "decoders.h"

namespace vigil::decode::internal {
namespace {

// Progressive files can carry thousands of tiny scans that take minutes to decode
// (libjpeg-turbo's djpeg offers -maxscans for the same reason).
constexpr int kMaxScans = 1000;

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  // Set once every scanline has been decoded: a file that then lacks only its EOI
  // marker lost nothing, and many cameras and uploaders produce such files.
  bool all_rows_read;
  // Components (by index) carried by the scans read so far, and the last scan seen.
  uint32_t components_seen;
  int last_scan;
};

// Notes the components of the scan being read (after its SOS marker).
void NoteScan(j_decompress_ptr cinfo, ErrorManager* err) {
  if (cinfo->input_scan_number == err->last_scan) return;
  err->last_scan = cinfo->input_scan_number;
  for (int i = 0; i < cinfo->comps_in_scan && i < MAX_COMPS_IN_SCAN; ++i) {
    const int index = cinfo->cur_comp_info[i]->component_index;
    if (index >= 0 && index < 32) err->components_seen |= 1u << index;
  }
}

[[noreturn]] void OnError(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void OnMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  // The data ran out (EOF), or a marker (an appended EOI) interrupted the scan data:
  // libjpeg would pad the rest with grey.
  const int code = cinfo->err->msg_code;
  if ((code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) && !err->all_rows_read) {
    OnError(cinfo);
  }
  // Other warnings (extraneous bytes, bad Huffman code recovered...) are tolerated,
  // as ImageMagick and browsers do.
}

struct ScanLimit {
  jpeg_progress_mgr pub;
  ErrorManager* err;
};

void OnProgress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor == 0) return;
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (d->input_scan_number >= 1) NoteScan(d, err);
  if (d->input_scan_number > kMaxScans) {
    std::snprintf(err->message, sizeof(err->message), "progressive JPEG has more than %d scans",
                  kMaxScans);
    std::longjmp(err->jump, 1);
  }
}

// Every component was carried by some scan and, in a progressive file, every
// coefficient of every component was sent to its last bit (coef_bits 0; -1 is never
// sent, more is "refinement still to come").
Status CheckScansComplete(j_decompress_ptr cinfo, const ErrorManager& err) {
  for (int c = 0; c < cinfo->num_components && c < 32; ++c) {
    if ((err.components_seen & (1u << c)) == 0) {
      return Status::Corruption("corrupt or truncated JPEG: the file ends before component " +
                                std::to_string(c + 1) + " of " +
                                std::to_string(cinfo->num_components) + " was sent");
    }
  }
  if (cinfo->progressive_mode && cinfo->coef_bits != nullptr) {
    for (int c = 0; c < cinfo->num_components; ++c) {
      for (int k = 0; k < DCTSIZE2; ++k) {
        if (cinfo->coef_bits[c][k] != 0) {
          return Status::Corruption(
              "corrupt or truncated JPEG: the progressive scans end before the image is "
              "complete (after scan " +
              std::to_string(cinfo->input_scan_number) + ")");
        }
      }
    }
  }
  return Status::Ok();
}

int OrientationFromMarkers(j_decompress_ptr cinfo) {
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
        std::memcmp(m->data, "Exif\0\0", 6) == 0) {
      return ReadExifOrientation(m->data, m->data_length);
    }
  }
  return 1;
}

// CMYK as ImageMagick converts it to RGB. Adobe applications write inverted CMYK
// (0 = full ink) and flag it with the Adobe APP14 marker.
void CmykRowToRgb(const uint8_t* cmyk, uint8_t* rgb, uint32_t width, bool inverted) {
  for (uint32_t x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    const unsigned k = inverted ? cmyk[3] : 255u - cmyk[3];  // 255 - K
    for (int c = 0; c < 3; ++c) {
      const unsigned ink_free = inverted ? cmyk[c] : 255u - cmyk[c];  // 255 - C
      rgb[c] = static_cast<uint8_t>((ink_free * k + 127u) / 255u);
    }
  }
}

// Everything between setjmp and the return lives here or in `out`, so nothing with a
// destructor is skipped by the longjmp.
struct JpegState {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  ScanLimit progress;
  std::vector<uint8_t> cmyk_row;
  Status header_status;
};

Status Decode(JpegState& s, const uint8_t* data, size_t size, const DecodeLimits& limits,
              DecodedImage& out) {
  if (setjmp(s.err.jump) != 0) {
    jpeg_destroy_decompress(&s.cinfo);
    return Status::Corruption(std::string("corrupt or truncated JPEG: ") + s.err.message);
  }
  jpeg_create_decompress(&s.cinfo);
  jpeg_mem_src(&s.cinfo, data, static_cast<unsigned long>(size));
  jpeg_save_markers(&s.cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&s.cinfo, TRUE);

  s.header_status = CheckDimensions(s.cinfo.image_width, s.cinfo.image_height, limits, "JPEG");
  if (!s.header_status.ok()) {
    jpeg_destroy_decompress(&s.cinfo);
    return s.header_status;
  }
  out.orientation = OrientationFromMarkers(&s.cinfo);

  const bool cmyk = s.cinfo.jpeg_color_space == JCS_CMYK || s.cinfo.jpeg_color_space == JCS_YCCK;
  s.cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  s.cinfo.progress = &s.progress.pub;
  NoteScan(&s.cinfo, &s.err);  // the first scan, whose SOS jpeg_read_header stopped at
  jpeg_start_decompress(&s.cinfo);
  // A multi-scan file has been read to its end by now. One that stopped between scans
  // (an EOI after a whole scan) is as incomplete as one cut inside a scan.
  s.header_status = CheckScansComplete(&s.cinfo, s.err);
  if (!s.header_status.ok()) {
    jpeg_destroy_decompress(&s.cinfo);
    return s.header_status;
  }

  const uint32_t width = s.cinfo.output_width;
  const uint32_t height = s.cinfo.output_height;
  s.header_status = AllocateRgb(width, height, limits, out);
  if (!s.header_status.ok()) {
    jpeg_destroy_decompress(&s.cinfo);
    return s.header_status;
  }
  if (cmyk) s.cmyk_row.resize(static_cast<size_t>(width) * 4);
  while (s.cinfo.output_scanline < height) {
    uint8_t* row = out.pixel_data() + static_cast<size_t>(s.cinfo.output_scanline) * out.stride;
    JSAMPROW rows[1] = {cmyk ? s.cmyk_row.data() : row};
    if (jpeg_read_scanlines(&s.cinfo, rows, 1) != 1) break;
    if (cmyk) CmykRowToRgb(s.cmyk_row.data(), row, width, s.cinfo.saw_Adobe_marker != 0);
  }
  if (s.cinfo.output_scanline < height) {
    std::snprintf(s.err.message, sizeof(s.err.message), "decoder stopped at row %u of %u",
                  s.cinfo.output_scanline, height);
    jpeg_destroy_decompress(&s.cinfo);
    return Status::Corruption(std::string("corrupt or truncated JPEG: ") + s.err.message);
  }
  s.err.all_rows_read = true;
  jpeg_finish_decompress(&s.cinfo);
  jpeg_destroy_decompress(&s.cinfo);
  return Status::Ok();
}

}  // namespace

Status DecodeJpeg(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out) {
  JpegState state{};
  state.cinfo.err = jpeg_std_error(&state.err.pub);
  state.err.pub.error_exit = OnError;
  state.err.pub.emit_message = OnMessage;
  state.progress.pub.progress_monitor = OnProgress;
  state.progress.err = &state.err;
  return Decode(state, data, size, limits, out);
}

}  // namespace vigil::decode::internal
