// PNG through libdeflate. Decoding: a fast path for the PNGs the datasets hold (8-bit greyscale,
// not interlaced): chunks parsed here, the image data inflated by libdeflate (about twice zlib's
// speed) and unfiltered in place. Anything else — other formats, ancillary features, or any
// inconsistency — returns false and the caller decodes with libpng, which also words the errors.
// Encoding: grey or RGB, 8 or 16 bits, each row filtered by the type with the smallest sum of
// absolute values (libpng's heuristic), deflated by libdeflate in one IDAT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cvb {

/// The eight bytes every PNG file begins with.
inline constexpr uint8_t pngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

/// Decodes an 8-bit greyscale, non-interlaced PNG into `pixels` (malloc'ed, width × height;
/// the caller frees it). False when the file is not of that kind or not valid (nothing allocated).
bool decodeGreyPNG(const uint8_t *bytes, size_t count, uint8_t **pixels, int *width, int *height);

/// Encodes `pixels` (rows of width × channels samples; 16-bit samples in host order) as a PNG
/// file image in `out`, deflated at libdeflate `level` (1 fastest … 12 smallest). The same
/// pixels give the same bytes. False when out of memory.
bool encodePNG(const void *pixels, int width, int height, int channels, int depthBits, int level, std::vector<uint8_t> &out);

} // namespace cvb
