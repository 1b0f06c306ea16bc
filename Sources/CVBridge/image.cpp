// Image decoding and writing for the C interface, over libpng and libjpeg(-turbo) directly.
//
// Why not cv::imdecode: Debian's libopencv_imgcodecs links GDAL and ~135 shared libraries, which
// cost ~100 ms at every process start. PNG and JPEG are all the datasets use, and these two
// libraries are what imgcodecs itself calls for them.
#include "bridge_common.hpp"
#include "png_grey.hpp"

#include <png.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <csetjmp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include <jpeglib.h>

namespace {

/// libdeflate's level for written PNGs: 6 makes files 3.5 % larger than libpng's default did
/// (a 30-frame synthetic sequence); level 1 was 2 % faster and 5 % larger still.
constexpr int pngLevel = 6;

/// Reads a whole file with one fread (an istreambuf_iterator copy goes byte by byte).
bool readFile(const char *path, std::vector<uint8_t> &bytes) {
    FILE *f = std::fopen(path, "rb");
    if (!f) return false;
    bool ok = std::fseek(f, 0, SEEK_END) == 0;
    const long size = ok ? std::ftell(f) : -1;
    ok = ok && size >= 0 && std::fseek(f, 0, SEEK_SET) == 0;
    if (ok) {
        bytes.resize(size_t(size));
        ok = size == 0 || std::fread(bytes.data(), 1, size_t(size), f) == size_t(size);
    }
    std::fclose(f);
    return ok;
}

/// ITU-R BT.601 luma, as OpenCV's cvtColor(…GRAY) computes it.
template <typename T> inline double luma(const T *p) { return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]; }

int decodePNG(const uint8_t *bytes, size_t count, cvb_image *out, cvb_error *err, const char *what) {
    // 8-bit grey (every dataset's format) takes the fast path; libpng does the rest.
    uint8_t *grey = nullptr;
    int w = 0, h = 0;
    if (cvb::decodeGreyPNG(bytes, count, &grey, &w, &h)) {
        out->width = w;
        out->height = h;
        out->source_depth_bits = 8;
        out->source_channels = 1;
        out->pixels = grey;
        return CVB_OK;
    }
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, bytes, count))
        return cvb::fail(err, CVB_ERR_DECODE, "%s: not a valid PNG (%s)", what, img.message);
    const bool colour = img.format & PNG_FORMAT_FLAG_COLOR;
    const bool alpha = img.format & PNG_FORMAT_FLAG_ALPHA;
    const bool sixteen = img.format & PNG_FORMAT_FLAG_LINEAR;
    // Read without any colour or gamma conversion (16-bit stays linear 16-bit), then reduce to
    // 8-bit grey here: BT.601 for colour, alpha ignored, 16-bit scaled by 1/256 with rounding.
    img.format = (colour ? PNG_FORMAT_FLAG_COLOR : 0) | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0) | (sixteen ? PNG_FORMAT_FLAG_LINEAR : 0);
    const int channels = (colour ? 3 : 1) + (alpha ? 1 : 0);
    const size_t n = size_t(img.width) * img.height;
    auto *pixels = static_cast<uint8_t *>(std::malloc(n ? n : 1));
    if (!pixels) {
        png_image_free(&img);
        return cvb::fail(err, CVB_ERR_INTERNAL, "%s: out of memory", what);
    }
    const bool direct = channels == 1 && !sixteen;   // 8-bit grey: decode straight into the output
    std::vector<uint8_t> raw(direct ? 0 : PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, nullptr, direct ? pixels : raw.data(), 0, nullptr)) {
        std::free(pixels);
        return cvb::fail(err, CVB_ERR_DECODE, "%s: corrupt PNG (%s)", what, img.message);
    }
    for (size_t i = 0; i < n && !direct; ++i) {
        double v;
        if (sixteen) {
            const auto *p = reinterpret_cast<const uint16_t *>(raw.data()) + i * channels;
            v = (colour ? luma(p) : p[0]) / 256.0;
        } else {
            const uint8_t *p = raw.data() + i * channels;
            v = colour ? luma(p) : p[0];
        }
        const double r = v + 0.5;
        pixels[i] = uint8_t(r >= 255 ? 255 : r);
    }
    out->width = int(img.width);
    out->height = int(img.height);
    out->source_depth_bits = sixteen ? 16 : 8;
    out->source_channels = channels;
    out->pixels = pixels;
    return CVB_OK;
}

struct JpegErrorManager {
    jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void jpegSilence(j_common_ptr) {}   // warnings are reported through cvb_error, not stderr

void jpegErrorExit(j_common_ptr info) {
    auto *mgr = reinterpret_cast<JpegErrorManager *>(info->err);
    info->err->format_message(info, mgr->message);
    longjmp(mgr->jump, 1);
}

int decodeJPEG(const uint8_t *bytes, size_t count, cvb_image *out, cvb_error *err, const char *what) {
    jpeg_decompress_struct info{};
    JpegErrorManager mgr{};
    info.err = jpeg_std_error(&mgr.base);
    mgr.base.error_exit = jpegErrorExit;
    mgr.base.output_message = jpegSilence;
    uint8_t *volatile pixels = nullptr;
    if (setjmp(mgr.jump)) {
        jpeg_destroy_decompress(&info);
        std::free(pixels);
        return cvb::fail(err, CVB_ERR_DECODE, "%s: corrupt JPEG (%s)", what, mgr.message);
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, static_cast<unsigned long>(count));
    jpeg_read_header(&info, TRUE);
    const int sourceChannels = info.num_components;
    info.out_color_space = JCS_GRAYSCALE;   // the Y (BT.601 luma) channel
    jpeg_start_decompress(&info);
    const size_t w = info.output_width, h = info.output_height;
    pixels = static_cast<uint8_t *>(std::malloc(w * h ? w * h : 1));
    if (!pixels) {
        jpeg_destroy_decompress(&info);
        return cvb::fail(err, CVB_ERR_INTERNAL, "%s: out of memory", what);
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + size_t(info.output_scanline) * w;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    const long warnings = mgr.base.num_warnings;   // e.g. "premature end of data": truncated file
    if (warnings > 0) {
        char message[JMSG_LENGTH_MAX];
        mgr.base.format_message(reinterpret_cast<j_common_ptr>(&info), message);
        jpeg_destroy_decompress(&info);
        std::free(pixels);
        return cvb::fail(err, CVB_ERR_DECODE, "%s: corrupt JPEG (%s)", what, message);
    }
    jpeg_destroy_decompress(&info);
    out->width = int(w);
    out->height = int(h);
    out->source_depth_bits = 8;
    out->source_channels = sourceChannels;
    out->pixels = pixels;
    return CVB_OK;
}

int decodeAny(const uint8_t *bytes, size_t count, cvb_image *out, cvb_error *err, const char *what) {
    if (count >= 8 && std::memcmp(bytes, cvb::pngSignature, 8) == 0) return decodePNG(bytes, count, out, err, what);
    if (count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return decodeJPEG(bytes, count, out, err, what);
    return cvb::fail(err, CVB_ERR_DECODE, "%s: not a PNG or JPEG image", what);
}

int writeJPEG(const char *path, const uint8_t *pixels, int width, int height, int channels, cvb_error *err) {
    FILE *f = std::fopen(path, "wb");
    if (!f) return cvb::fail(err, CVB_ERR_IO, "%s: cannot open for writing", path);
    jpeg_compress_struct info{};
    JpegErrorManager mgr{};
    info.err = jpeg_std_error(&mgr.base);
    mgr.base.error_exit = jpegErrorExit;
    if (setjmp(mgr.jump)) {
        jpeg_destroy_compress(&info);
        std::fclose(f);
        return cvb::fail(err, CVB_ERR_IO, "%s: cannot write JPEG (%s)", path, mgr.message);
    }
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, f);
    info.image_width = JDIMENSION(width);
    info.image_height = JDIMENSION(height);
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, 95, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = const_cast<uint8_t *>(pixels) + size_t(info.next_scanline) * width * channels;
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return std::fclose(f) == 0 ? CVB_OK : cvb::fail(err, CVB_ERR_IO, "%s: write failed", path);
}

bool hasExtension(const char *path, const char *ext) {
    const size_t n = std::strlen(path), m = std::strlen(ext);
    if (n < m) return false;
    for (size_t i = 0; i < m; ++i)
        if (std::tolower(static_cast<unsigned char>(path[n - m + i])) != ext[i]) return false;
    return true;
}

} // namespace

extern "C" int cvb_image_decode(const char *path, cvb_image *out, cvb_error *err) {
    if (!out || !path) return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_image_decode: null argument");
    *out = cvb_image{};
    return cvb::guarded(err, path, [&]() -> int {
        std::vector<uint8_t> bytes;
        if (!readFile(path, bytes)) return cvb::fail(err, CVB_ERR_IO, "%s: cannot open file", path);
        if (bytes.empty()) return cvb::fail(err, CVB_ERR_DECODE, "%s: empty file", path);
        return decodeAny(bytes.data(), bytes.size(), out, err, path);
    });
}

extern "C" int cvb_image_decode_memory(const uint8_t *bytes, size_t count, cvb_image *out, cvb_error *err) {
    if (!out || !bytes || count == 0) return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_image_decode_memory: empty input");
    *out = cvb_image{};
    return cvb::guarded(err, "in-memory image", [&]() -> int { return decodeAny(bytes, count, out, err, "in-memory image"); });
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
        if (hasExtension(path, ".jpg") || hasExtension(path, ".jpeg")) {
            if (depth_bits != 8) return cvb::fail(err, CVB_ERR_ARGUMENT, "%s: JPEG is 8-bit only", path);
            return writeJPEG(path, static_cast<const uint8_t *>(pixels), width, height, channels, err);
        }
        if (!hasExtension(path, ".png")) return cvb::fail(err, CVB_ERR_ARGUMENT, "%s: only .png and .jpg can be written", path);
        std::vector<uint8_t> bytes;
        if (!cvb::encodePNG(pixels, width, height, channels, depth_bits, pngLevel, bytes))
            return cvb::fail(err, CVB_ERR_IO, "%s: cannot encode PNG (out of memory)", path);
        FILE *f = std::fopen(path, "wb");
        if (!f) return cvb::fail(err, CVB_ERR_IO, "%s: cannot open for writing (%s)", path, std::strerror(errno));
        const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        if (std::fclose(f) != 0 || !written) return cvb::fail(err, CVB_ERR_IO, "%s: cannot write (%s)", path, std::strerror(errno));
        return CVB_OK;
    });
}
