// Reference stereo for measuring the front end: OpenCV's semi-global matcher, and 16-bit PNG
// decoding for ground-truth disparity maps (KITTI stores disparity × 256 in 16-bit PNGs).
#include "bridge_common.hpp"

#include <opencv2/calib3d.hpp>
#include <png.h>

#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" int cvb_sgbm_disparity(const uint8_t *left, const uint8_t *right, int width, int height, int num_disparities,
                                  int block_size, float *out, cvb_error *err) {
    cvb::clear(err);
    if (!left || !right || !out || width <= 0 || height <= 0 || num_disparities < 16 || num_disparities % 16 != 0 ||
        block_size < 1 || block_size % 2 == 0)
        return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_sgbm_disparity: invalid arguments");
    return cvb::guarded(err, "SGBM", [&]() -> int {
        const cv::Mat l(height, width, CV_8UC1, const_cast<uint8_t *>(left));
        const cv::Mat r(height, width, CV_8UC1, const_cast<uint8_t *>(right));
        // The parameters OpenCV's stereo_match sample uses for grey images, full dynamic programming.
        const int p1 = 8 * block_size * block_size, p2 = 32 * block_size * block_size;
        auto sgbm = cv::StereoSGBM::create(0, num_disparities, block_size, p1, p2, 1, 63, 10, 100, 32,
                                           cv::StereoSGBM::MODE_SGBM);
        cv::Mat disparity16;
        sgbm->compute(l, r, disparity16);
        for (int y = 0; y < height; ++y) {
            const int16_t *row = disparity16.ptr<int16_t>(y);
            for (int x = 0; x < width; ++x) {
                // Fixed point with 4 fractional bits; invalid pixels are below the minimum.
                out[size_t(y) * width + x] = row[x] < 0 ? -1.0f : row[x] / 16.0f;
            }
        }
        return CVB_OK;
    });
}

extern "C" int cvb_png_decode16(const char *path, uint16_t **pixels, int *width, int *height, cvb_error *err) {
    cvb::clear(err);
    if (!path || !pixels || !width || !height) return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_png_decode16: null argument");
    *pixels = nullptr;
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return cvb::fail(err, CVB_ERR_DECODE, "not a readable PNG (%s)", img.message);
    if (!(img.format & PNG_FORMAT_FLAG_LINEAR) || (img.format & PNG_FORMAT_FLAG_COLOR)) {
        png_image_free(&img);
        return cvb::fail(err, CVB_ERR_DECODE, "expected a 16-bit greyscale PNG");
    }
    img.format = PNG_FORMAT_LINEAR_Y;   // 16-bit files are linear already: no conversion
    const size_t n = size_t(img.width) * img.height;
    auto *out = static_cast<uint16_t *>(std::malloc((n ? n : 1) * sizeof(uint16_t)));
    if (!out) {
        png_image_free(&img);
        return cvb::fail(err, CVB_ERR_INTERNAL, "out of memory");
    }
    if (!png_image_finish_read(&img, nullptr, out, 0, nullptr)) {
        std::free(out);
        return cvb::fail(err, CVB_ERR_DECODE, "corrupt PNG (%s)", img.message);
    }
    *pixels = out;
    *width = int(img.width);
    *height = int(img.height);
    return CVB_OK;
}
