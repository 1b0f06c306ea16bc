// PNG decoding (8-bit greyscale) and encoding with libdeflate (see png_grey.hpp).
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

void putBE32(std::vector<uint8_t> &out, uint32_t v) {
    const uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    out.insert(out.end(), b, b + 4);
}

/// Appends one chunk: length, type, data, CRC of type and data.
void putChunk(std::vector<uint8_t> &out, const char *type, const uint8_t *data, size_t length) {
    putBE32(out, uint32_t(length));
    const size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    if (length) out.insert(out.end(), data, data + length);
    putBE32(out, uint32_t(libdeflate_crc32(0, out.data() + start, length + 4)));
}

/// Filters `row` (n bytes, bpp bytes per pixel, `up` the row above or zeros) into `dst` with
/// the filter type that minimises the sum of absolute filtered values; returns the type. One
/// tight loop per type (the first bpp bytes have no left neighbour: a = c = 0).
uint8_t filterRow(const uint8_t *row, const uint8_t *up, size_t n, size_t bpp, uint8_t *dst, std::vector<uint8_t> &scratch) {
    scratch.resize(n);
    uint8_t *f = scratch.data();
    auto cost = [&](const uint8_t *v) {
        uint64_t sum = 0;
        for (size_t i = 0; i < n; ++i) sum += v[i] < 128 ? v[i] : 256 - v[i];
        return sum;
    };
    auto apply = [&](auto predict) {
        for (size_t i = 0; i < bpp && i < n; ++i) f[i] = uint8_t(row[i] - predict(0, up[i], 0));
        for (size_t i = bpp; i < n; ++i) f[i] = uint8_t(row[i] - predict(row[i - bpp], up[i], up[i - bpp]));
    };
    uint64_t best = cost(row);
    uint8_t bestType = 0;
    std::memcpy(dst, row, n);
    auto consider = [&](uint8_t type) {
        const uint64_t c = cost(f);
        if (c < best) { best = c; bestType = type; std::memcpy(dst, f, n); }
    };
    apply([](int a, int, int) { return a; });
    consider(1);
    apply([](int, int b, int) { return b; });
    consider(2);
    apply([](int a, int b, int) { return (a + b) >> 1; });
    consider(3);
    apply([](int a, int b, int c) { return int(paeth(a, b, c)); });
    consider(4);
    return bestType;
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
    if (count < 8 + 25 || std::memcmp(bytes, pngSignature, 8) != 0) return false;
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

bool encodePNG(const void *pixels, int width, int height, int channels, int depthBits, int level, std::vector<uint8_t> &out) {
    const size_t bytesPerSample = depthBits == 16 ? 2 : 1, bpp = size_t(channels) * bytesPerSample;
    const size_t rowBytes = size_t(width) * bpp, stride = rowBytes + 1;
    // Samples in PNG byte order (16-bit big-endian; 8-bit used as they are), then each row
    // filtered behind its type byte.
    std::vector<uint8_t> swapped;
    const auto *samples = static_cast<const uint8_t *>(pixels);
    if (bytesPerSample == 2) {
        swapped.resize(rowBytes * size_t(height));
        const auto *p = static_cast<const uint16_t *>(pixels);
        for (size_t i = 0; i < swapped.size() / 2; ++i) { swapped[2 * i] = uint8_t(p[i] >> 8); swapped[2 * i + 1] = uint8_t(p[i]); }
        samples = swapped.data();
    }
    std::vector<uint8_t> filtered(stride * size_t(height)), zeros(rowBytes, 0), scratch;
    for (size_t y = 0; y < size_t(height); ++y) {
        const uint8_t *row = samples + y * rowBytes, *up = y ? row - rowBytes : zeros.data();
        uint8_t *dst = filtered.data() + y * stride;
        dst[0] = filterRow(row, up, rowBytes, bpp, dst + 1, scratch);
    }
    libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    if (!c) return false;
    std::vector<uint8_t> compressed(libdeflate_zlib_compress_bound(c, filtered.size()));
    const size_t size = libdeflate_zlib_compress(c, filtered.data(), filtered.size(), compressed.data(), compressed.size());
    libdeflate_free_compressor(c);
    if (size == 0) return false;
    out.assign(pngSignature, pngSignature + 8);
    uint8_t ihdr[13] = {0};
    for (int i = 0; i < 4; ++i) { ihdr[i] = uint8_t(uint32_t(width) >> (24 - 8 * i)); ihdr[4 + i] = uint8_t(uint32_t(height) >> (24 - 8 * i)); }
    ihdr[8] = uint8_t(depthBits);
    ihdr[9] = channels == 3 ? 2 : 0;   // truecolour or greyscale; deflate, adaptive filtering, no interlace
    putChunk(out, "IHDR", ihdr, 13);
    putChunk(out, "IDAT", compressed.data(), size);
    putChunk(out, "IEND", nullptr, 0);
    return true;
}

} // namespace cvb
