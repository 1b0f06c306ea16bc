// Image decoding and writing for the C interface.
#include "bridge_common.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <fstream>

namespace {

/// Converts any decoded image (8/16-bit, 1/3/4 channels) to packed 8-bit grey in `out`.
int toGrey(const cv::Mat &decoded, cvb_image *out, cvb_error *err, const char *what) {
    if (decoded.empty()) return cvb::fail(err, CVB_ERR_DECODE, "%s: not a decodable image", what);
    const int depth = decoded.depth();
    if (depth != CV_8U && depth != CV_16U)
        return cvb::fail(err, CVB_ERR_DECODE, "%s: unsupported pixel depth (OpenCV depth %d)", what, depth);
    cv::Mat grey;
    switch (decoded.channels()) {
    case 1: grey = decoded; break;
    case 3: cv::cvtColor(decoded, grey, cv::COLOR_BGR2GRAY); break;
    case 4: cv::cvtColor(decoded, grey, cv::COLOR_BGRA2GRAY); break;
    default:
        return cvb::fail(err, CVB_ERR_DECODE, "%s: unsupported channel count %d", what, decoded.channels());
    }
    cv::Mat grey8;
    if (depth == CV_16U) grey.convertTo(grey8, CV_8U, 1.0 / 256.0);
    else grey8 = grey;
    const size_t n = size_t(grey8.cols) * size_t(grey8.rows);
    auto *pixels = static_cast<uint8_t *>(std::malloc(n));
    if (!pixels) return cvb::fail(err, CVB_ERR_INTERNAL, "%s: out of memory", what);
    for (int r = 0; r < grey8.rows; ++r) std::memcpy(pixels + size_t(r) * grey8.cols, grey8.ptr(r), grey8.cols);
    out->width = grey8.cols;
    out->height = grey8.rows;
    out->source_depth_bits = depth == CV_16U ? 16 : 8;
    out->source_channels = decoded.channels();
    out->pixels = pixels;
    return CVB_OK;
}

} // namespace

extern "C" int cvb_image_decode(const char *path, cvb_image *out, cvb_error *err) {
    if (!out || !path) return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_image_decode: null argument");
    *out = cvb_image{};
    return cvb::guarded(err, path, [&]() -> int {
        std::ifstream f(path, std::ios::binary);
        if (!f) return cvb::fail(err, CVB_ERR_IO, "%s: cannot open file", path);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        if (bytes.empty()) return cvb::fail(err, CVB_ERR_DECODE, "%s: empty file", path);
        cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
        return toGrey(decoded, out, err, path);
    });
}

extern "C" int cvb_image_decode_memory(const uint8_t *bytes, size_t count, cvb_image *out, cvb_error *err) {
    if (!out || !bytes || count == 0) return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_image_decode_memory: empty input");
    *out = cvb_image{};
    return cvb::guarded(err, "in-memory image", [&]() -> int {
        cv::Mat buf(1, int(count), CV_8UC1, const_cast<uint8_t *>(bytes));
        return toGrey(cv::imdecode(buf, cv::IMREAD_UNCHANGED), out, err, "in-memory image");
    });
}

extern "C" void cvb_image_free(cvb_image *image) {
    if (!image) return;
    std::free(image->pixels);
    image->pixels = nullptr;
}

extern "C" int cvb_image_write(const char *path, const void *pixels, int width, int height,
                               int channels, int depth_bits, cvb_error *err) {
    if (!path || !pixels || width <= 0 || height <= 0 || (channels != 1 && channels != 3) ||
        (depth_bits != 8 && depth_bits != 16))
        return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_image_write: invalid image description");
    return cvb::guarded(err, path, [&]() -> int {
        const int type = CV_MAKETYPE(depth_bits == 8 ? CV_8U : CV_16U, channels);
        cv::Mat m(height, width, type, const_cast<void *>(pixels));
        const std::vector<int> params{cv::IMWRITE_PNG_COMPRESSION, 1};
        if (!cv::imwrite(path, m, params)) return cvb::fail(err, CVB_ERR_IO, "%s: cannot write image", path);
        return CVB_OK;
    });
}
