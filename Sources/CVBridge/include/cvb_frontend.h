/*
 * CVBridge front end: keypoints, stereo and temporal matching of a rectified stereo stream, each
 * match with the raw ingredients of its uncertainty. One call per stereo frame; no per-point calls.
 *
 * The bridge does the pixel work; the uncertainty model (calibration of scales, metric 3D
 * covariance) lives in Swift. Variances reported here follow METHOD.md §2 before calibration:
 *  - stereo: parabola fit on the SSD cost c(δ) around its integer minimum,
 *            δ* = δ0 − c'/c'', σ_δ² = 2σ_n²/c'', σ_n² = c(δ0)/(N − 1), plus the left–right
 *            consistency error squared;
 *  - temporal: Σ_uv = σ_n² A⁻¹ with A the structure tensor of the LK window in the previous image
 *            and σ_n² = Σr²/(N − 2) the window's residual at convergence, plus e_fb² I.
 */
#ifndef PARALLAX_CVB_FRONTEND_H
#define PARALLAX_CVB_FRONTEND_H

#include <stdint.h>

#include "cvbridge.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Front-end parameters (see cvb_frontend_default_config for the defaults). */
typedef struct {
    int max_features;        /**< target number of live tracks */
    int grid_cols, grid_rows;/**< detection buckets; quota = max_features / (cols·rows) */
    int fast_threshold;      /**< FAST intensity threshold */
    int min_distance;        /**< minimum pixel distance between two tracks */
    int border;              /**< pixels at the image border where no keypoint is taken */
    int stereo_radius;       /**< half-size of the stereo SSD window (window = 2r+1 square), 1 … 15 */
    int max_disparity;       /**< largest disparity searched, pixels */
    float ambiguity_ratio;   /**< reject when best cost > ratio · second-best (distinct) cost */
    float lr_tolerance;      /**< left–right consistency tolerance, pixels */
    int edge_check;          /**< nonzero: reject stereo matches whose half-size side windows disagree (depth edges) */
    float support_radius;    /**< > 0: reject stereo matches no match within this many pixels supports; 0: off */
    int lk_window;           /**< LK window size (odd) */
    int lk_levels;           /**< LK pyramid levels above the base */
    float fb_threshold;      /**< forward–backward error above which a track is dropped, pixels */
    float min_ncc;           /**< tracks whose windows correlate less than this (ZNCC) are dropped */
} cvb_frontend_config;

/** Per-feature flags. */
enum {
    CVB_FEATURE_TRACKED = 1,  /**< matched from the previous frame (prev_u/prev_v valid) */
    CVB_FEATURE_STEREO = 2,   /**< disparity valid */
    CVB_FEATURE_NEW = 4       /**< detected in this frame */
};

/** One feature of the current left image. */
typedef struct {
    int64_t id;              /**< track id, stable across frames */
    float u, v;              /**< position in the current left image, pixels */
    float prev_u, prev_v;    /**< position in the previous left image (when TRACKED) */
    float cov_uu, cov_uv, cov_vv; /**< raw Σ_uv of the temporal match, px² (when TRACKED) */
    float fb_error;          /**< forward–backward error, px (when TRACKED) */
    float disparity;         /**< δ = u_left − u_right, px (when STEREO) */
    float disparity_var;     /**< raw σ_δ², px² (when STEREO) */
    float stereo_residual;   /**< σ_n² of the stereo window at the minimum (grey levels²) */
    float score;             /**< corner score at detection */
    int32_t age;             /**< frames this track has lived */
    int32_t flags;
} cvb_feature;

/** Per-stage wall-clock times of the last call, milliseconds. */
typedef struct {
    double pyramid_ms, track_ms, detect_ms, stereo_ms, total_ms;
} cvb_frontend_timing;

typedef struct cvb_frontend cvb_frontend;

/** The documented defaults (KITTI-sized images). */
cvb_frontend_config cvb_frontend_default_config(void);

/** Creates a front end for images of the given size; NULL on invalid parameters. */
cvb_frontend *cvb_frontend_create(const cvb_frontend_config *config, int width, int height,
                                  cvb_error *err);

/**
 * Processes one rectified stereo frame: tracks the previous frame's features into the new left
 * image, tops up the grid with new keypoints, and matches every feature along its row in the
 * right image. Writes at most `capacity` features and returns their number, or -1 on error.
 */
int cvb_frontend_process(cvb_frontend *fe, const uint8_t *left, const uint8_t *right,
                         cvb_feature *out, int capacity, cvb_frontend_timing *timing,
                         cvb_error *err);

/**
 * Processes the frame of the last cvb_frontend_process again from the same previous frame, with
 * `extra_levels` (0–4) more pyramid levels for the tracker: for a frame whose motion the
 * predictions missed by more than the pyramid reaches (a sudden turn). Predictions set since the
 * last call are used. Replaces that call's result (its features and the state the next frame
 * starts from); it may be called again, with other levels. Returns the number of features
 * written, or -1 on error (also when the last frame had no previous one).
 */
int cvb_frontend_retrack(cvb_frontend *fe, const uint8_t *left, const uint8_t *right, int extra_levels,
                         cvb_feature *out, int capacity, cvb_frontend_timing *timing, cvb_error *err);

/**
 * Sets where the next cvb_frontend_process should start looking for some tracks (e.g. from a
 * motion model): `n` track ids with predicted positions (u, v interleaved) in the next left
 * image. Tracks without a prediction start from their previous position. Used once, then cleared.
 */
void cvb_frontend_set_predictions(cvb_frontend *fe, const int64_t *ids, const float *uv, int n);

/**
 * Allows (non-zero, the default) or forbids (0) the AVX2 versions of the stereo and tracking
 * kernels, process-wide; without them the SSE2 versions run, with identical results. For tests
 * that compare the two; the AVX2 ones are used only when the CPU has AVX2 anyway.
 */
void cvb_allow_avx2(int allowed);

/** Non-zero when this CPU has AVX2 (whatever cvb_allow_avx2 says): without it only SSE2 runs. */
int cvb_cpu_has_avx2(void);

/** Forgets all tracks (the next frame starts afresh). */
void cvb_frontend_reset(cvb_frontend *fe);

/** Frees a front end (NULL allowed). */
void cvb_frontend_free(cvb_frontend *fe);

#ifdef __cplusplus
}
#endif

#endif /* PARALLAX_CVB_FRONTEND_H */
