// 8-bit greyscale PNG decoding with libdeflate (see png_grey.hpp).
#include "png_grey.hpp"

#include <libdeflate.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

uint32_t be32(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

/// The Paeth predictor (PNG specification, filter type 4).
inline uint8_t paeth(int a, int b, int c) {
    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return uint8_t(pa <= pb && pa <= pc ? a : (pb <= pc ? b : c));
}

/// Reverses the filter of one row (1 byte per pixel) given the unfiltered row above (zeros for
/// the first row). False for an unknown filter type.
bool unfilter(int type, uint8_t *row, const uint8_t *up, size_t n) {
    switch (type) {
    case 0: return true;
    case 1: for (size_t i = 1; i < n; ++i) row[i] = uint8_t(row[i] + row[i - 1]); return true;
    case 2: for (size_t i = 0; i < n; ++i) row[i] = uint8_t(row[i] + up[i]); return true;
    case 3:
        row[0] = uint8_t(row[0] + (up[0] >> 1));
        for (size_t i = 1; i < n; ++i) row[i] = uint8_t(row[i] + ((row[i - 1] + up[i]) >> 1));
        return true;
    case 4:
        row[0] = uint8_t(row[0] + up[0]);   // Paeth(0, b, 0) = b
        for (size_t i = 1; i < n; ++i) row[i] = uint8_t(row[i] + paeth(row[i - 1], up[i], up[i - 1]));
        return true;
    default: return false;
    }
}

} // namespace

namespace cvb {

bool decodeGreyPNG(const uint8_t *bytes, size_t count, uint8_t **pixels, int *width, int *height) {
    static const uint8_t magic[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (count < 8 + 25 || std::memcmp(bytes, magic, 8) != 0) return false;
    size_t w = 0, h = 0;
    std::vector<uint8_t> compressed;
    bool header = false, end = false;
    for (size_t at = 8; at + 12 <= count && !end;) {
        const uint32_t length = be32(bytes + at);
        const uint8_t *type = bytes + at + 4, *data = bytes + at + 8;
        if (length > count - at - 12) return false;
        // Every chunk's CRC is checked, as libpng does.
        if (uint32_t(libdeflate_crc32(0, type, length + 4)) != be32(data + length)) return false;
        if (!header) {
            // IHDR: 8-bit grey (colour type 0), deflate, adaptive filtering, no interlace.
            if (std::memcmp(type, "IHDR", 4) != 0 || length != 13) return false;
            w = be32(data); h = be32(data + 4);
            if (w == 0 || h == 0 || w > (1u << 16) || h > (1u << 16)) return false;
            if (data[8] != 8 || data[9] != 0 || data[10] != 0 || data[11] != 0 || data[12] != 0) return false;
            header = true;
        } else if (std::memcmp(type, "IDAT", 4) == 0) {
            compressed.insert(compressed.end(), data, data + length);
        } else if (std::memcmp(type, "IEND", 4) == 0) {
            end = true;
        } else if (!(type[0] & 0x20) || std::memcmp(type, "tRNS", 4) == 0 || std::memcmp(type, "gAMA", 4) == 0 ||
                   std::memcmp(type, "sBIT", 4) == 0) {
            return false;   // a critical chunk, or one libpng could act on: leave the file to libpng
        }
        at += size_t(length) + 12;
    }
    if (!end || compressed.empty()) return false;
    const size_t stride = w + 1;   // a filter-type byte, then the row
    std::vector<uint8_t> raw(stride * h);
    libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) return false;
    size_t produced = 0;
    const auto rc = libdeflate_zlib_decompress(d, compressed.data(), compressed.size(), raw.data(), raw.size(), &produced);
    libdeflate_free_decompressor(d);
    if (rc != LIBDEFLATE_SUCCESS || produced != raw.size()) return false;
    auto *out = static_cast<uint8_t *>(std::malloc(w * h));
    if (!out) return false;
    std::vector<uint8_t> zeros(w, 0);
    for (size_t y = 0; y < h; ++y) {
        uint8_t *row = out + y * w;
        std::memcpy(row, raw.data() + y * stride + 1, w);
        if (!unfilter(raw[y * stride], row, y ? row - w : zeros.data(), w)) { std::free(out); return false; }
    }
    *pixels = out;
    *width = int(w);
    *height = int(h);
    return true;
}

} // namespace cvb
