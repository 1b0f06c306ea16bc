/*
 * CVBridge — Parallax's plain C interface to the pixel work it does in C++ over OpenCV.
 *
 * Rules of this header:
 *  - C only: POD structs, no OpenCV types; Swift imports this header and nothing of OpenCV.
 *  - Every call reports failure through a `cvb_error` (code != CVB_OK, with a message); no C++
 *    exception ever crosses this boundary.
 *  - Buffers are caller-owned unless a function says it allocates; allocations have an explicit
 *    free function.
 *  - Images are 8-bit single-channel ("grey"), row-major, tightly packed (stride == width).
 */
#ifndef PARALLAX_CVBRIDGE_H
#define PARALLAX_CVBRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes. */
typedef enum {
    CVB_OK = 0,
    CVB_ERR_IO = 1,            /**< file missing or unreadable */
    CVB_ERR_DECODE = 2,        /**< file read but not a decodable image */
    CVB_ERR_ARGUMENT = 3,      /**< invalid argument (sizes, null pointers, parameters) */
    CVB_ERR_OPENCV = 4,        /**< OpenCV raised an exception */
    CVB_ERR_INTERNAL = 5       /**< any other C++ exception */
} cvb_code;

/** Error report filled by every call. */
typedef struct {
    int code;
    char message[512];
} cvb_error;

/** An 8-bit grey image allocated by the bridge; release with cvb_image_free. */
typedef struct {
    int width;
    int height;
    int source_depth_bits;   /**< 8 or 16: bit depth of the file (16-bit is scaled by 1/256) */
    int source_channels;     /**< channels in the file (1, 3 or 4); colour is converted to grey */
    uint8_t *pixels;         /**< width*height bytes, row-major */
} cvb_image;

/**
 * Decodes a PNG or JPEG file into 8-bit grey. 16-bit images are scaled by 1/256 (rounded), colour
 * images converted with the ITU-R BT.601 weights (as OpenCV's cvtColor), alpha is ignored.
 * On failure `out->pixels` is NULL.
 */
int cvb_image_decode(const char *path, cvb_image *out, cvb_error *err);

/** Decodes an in-memory encoded image (same rules as cvb_image_decode). */
int cvb_image_decode_memory(const uint8_t *bytes, size_t count, cvb_image *out, cvb_error *err);

/** Frees the pixels of an image from cvb_image_decode (safe on a zeroed struct). */
void cvb_image_free(cvb_image *image);

/**
 * Writes an image; the codec follows the file extension (.png, .jpg, …). `channels` is 1 (grey)
 * or 3 (RGB), `depth_bits` 8 or 16 (16-bit: PNG only); pixels are packed, `uint8_t` or
 * `uint16_t` per channel. Used for renders, depth maps, tests and debugging.
 */
int cvb_image_write(const char *path, const void *pixels, int width, int height,
                    int channels, int depth_bits, cvb_error *err);

/** Intrinsics and radial-tangential distortion of one camera (k1 k2 p1 p2 [k3]). */
typedef struct {
    double fx, fy, cx, cy;
    double distortion[5];    /**< k1, k2, p1, p2, k3 (k3 = 0 when absent) */
} cvb_camera;

/** Result of stereo rectification. */
typedef struct {
    double fx, fy, cx, cy;   /**< shared intrinsics of both rectified images */
    double baseline;         /**< metres, > 0 */
    double r_left[9];        /**< row-major rotation: rectified-left ← original-left (p_rect = R p_orig) */
    double r_right[9];       /**< row-major rotation: rectified-right ← original-right */
    int width, height;       /**< rectified image size (= input size) */
} cvb_rectification;

/** Opaque rectifier holding the undistort/rectify maps of both cameras. */
typedef struct cvb_rectifier cvb_rectifier;

/**
 * Builds a rectifier (cv::stereoRectify with zero disparity at infinity, alpha = 0, then
 * initUndistortRectifyMap). `r_rl` / `t_rl` give the right camera relative to the left:
 * p_right = R p_left + t (row-major R, metres). Returns NULL on failure.
 */
cvb_rectifier *cvb_rectifier_create(const cvb_camera *left, const cvb_camera *right,
                                    const double r_rl[9], const double t_rl[3],
                                    int width, int height,
                                    cvb_rectification *out, cvb_error *err);

/** Remaps one image (side 0 = left, 1 = right) of the rectifier's size into `dst` (same size). */
int cvb_rectifier_apply(const cvb_rectifier *r, int side, const uint8_t *src, uint8_t *dst, cvb_error *err);

/** Frees a rectifier (NULL is allowed). */
void cvb_rectifier_free(cvb_rectifier *r);

/** One stereo correspondence between the left and right images. */
typedef struct {
    float ul, vl, ur, vr;
    int distance;            /**< Hamming distance of the ORB descriptors */
} cvb_stereo_match;

/**
 * Detects ORB features in both images and matches them by brute-force Hamming distance with a
 * cross check (no epipolar constraint: the caller can verify rectification with the rows).
 * Writes at most `capacity` matches into `out` and returns their count, or -1 on error.
 */
int cvb_orb_match_pair(const uint8_t *left, const uint8_t *right, int width, int height,
                       int max_features, cvb_stereo_match *out, int capacity, cvb_error *err);

/** Size of one ORB descriptor, bytes. */
#define CVB_ORB_BYTES 32

/**
 * Computes ORB descriptors (rBRIEF, oriented by the intensity centroid, at the base scale) at
 * `count` given keypoints `uv` (x0, y0, x1, y1, … in pixels) of an 8-bit grey image. The caller
 * owns `descriptors` (count × CVB_ORB_BYTES bytes) and `valid` (count bytes): valid[i] = 0 where
 * keypoint i is too close to the border to be described (its descriptor bytes are then zero).
 * Returns the number of described keypoints, or −1 with `err` filled.
 */
int cvb_orb_describe(const uint8_t *pixels, int width, int height, const float *uv, int count,
                     uint8_t *descriptors, uint8_t *valid, cvb_error *err);

/**
 * OpenCV's StereoSGBM on a rectified 8-bit grey pair (reference for measuring the front end's
 * stereo): `out` receives width × height disparities of the left image, pixels, −1 where SGBM
 * has none. `num_disparities` a positive multiple of 16, `block_size` odd.
 */
int cvb_sgbm_disparity(const uint8_t *left, const uint8_t *right, int width, int height, int num_disparities,
                       int block_size, float *out, cvb_error *err);

/**
 * Decodes a 16-bit greyscale PNG without scaling (ground-truth disparity maps); `*pixels` is
 * malloc'ed (width × height), free it with free().
 */
int cvb_png_decode16(const char *path, uint16_t **pixels, int *width, int *height, cvb_error *err);

#ifdef __cplusplus
}
#endif

#include "cvb_frontend.h"

#endif /* PARALLAX_CVBRIDGE_H */
