import CVBridge
import Imaging
import Foundation
import Geometry

/// Front-end parameters. The pixel work runs in the C++ bridge; the uncertainty model here.
public struct FrontendConfig: Sendable, Equatable {
    /// Target number of live tracks. Default 1500.
    public var maxFeatures = 1500
    /// Detection buckets (columns × rows); each bucket is topped up to its share. Default 16 × 6.
    public var gridColumns = 16, gridRows = 6
    /// FAST threshold (grey levels). Default 12.
    public var fastThreshold = 12
    /// Minimum distance between tracks, pixels. Default 8.
    public var minDistance = 8
    /// Image border without keypoints, pixels. Default 12.
    public var border = 12
    /// Stereo SSD window half-size (window 2r+1), 1 … 15. Default 4 (9×9).
    public var stereoRadius = 4
    /// Largest disparity searched, pixels. Default 160.
    public var maxDisparity = 160
    /// A stereo match is rejected when its cost exceeds this fraction of the best cost outside
    /// its basin. Default 0.85.
    public var ambiguityRatio: Float = 0.85
    /// Left–right consistency tolerance, pixels. Default 1.
    public var leftRightTolerance: Float = 1
    /// Rejects stereo matches at depth edges: half-size windows left and right of the keypoint
    /// must find the same disparity (within 1 px) as the full window, which otherwise matches the
    /// textured side of an occlusion boundary. Default on.
    public var edgeCheck = true
    /// Rejects stereo matches that no nearby match supports: of the (at most 6) nearest matches
    /// within this many pixels, when there are at least 3, one must lie within max(2 px, 10 %) of
    /// the match's disparity, or the plane through them must predict it. A wrong minimum of the
    /// matching cost (repeated texture, a window across a depth edge) gives a disparity its
    /// surroundings do not share. 0 turns it off. Default 50.
    public var stereoSupportRadius: Float = 50
    /// Lucas–Kanade window (odd) and pyramid levels above the base. Default 11, 4 (reaches ≈ ±80 px
    /// from the prediction: the start of a turn is tens of pixels off a constant-velocity guess).
    public var lkWindow = 11, lkLevels = 4
    /// Tracks whose forward–backward error exceeds this are dropped, pixels. Default 1.
    public var forwardBackwardThreshold: Float = 1
    /// Tracks whose LK windows correlate less than this (zero-mean NCC) are dropped. Default 0.8.
    public var minimumCorrelation: Float = 0.8

    /// Calibration of the raw variances (METHOD.md §2): variance = max(floor, scale × raw), with
    /// scale and floor chosen so that the normalised errors average 1 against exact truth
    /// (synthetic canyon and room, straight and hand-held; see BENCHMARKS.md). The raw model
    /// underestimates (e.g. raw Σ_uv ≈ 0.005 px² for errors of ≈ 0.15 px) and METHOD.md's floor of
    /// 0.0625 px² then overestimates most points (NEES 0.36–0.86), so both are calibrated.
    /// Defaults: disparity ×2 floored at 0.02 px², temporal match ×4 floored at 0.015 px².
    public var disparityVarianceScale = 2.0
    public var disparityVarianceFloor = 0.02
    /// Variance a real stereo rig adds to every disparity, px², on top of the matching model:
    /// rectification and calibration error, optics and sampling, which rendered images do not
    /// have (0 there). Fitted on one real pair with ground truth and validated on others (see
    /// BENCHMARKS.md). Default 0.06 px² (σ ≈ 0.25 px).
    public var disparityRigVariance = 0.06
    public var flowVarianceScale = 4.0
    /// Floor on each variance of the temporal match, px².
    public var varianceFloor = 0.015
    /// Variance of a freshly detected keypoint's position (quantisation), px² (METHOD.md: 0.25).
    public var detectionVariance = 0.25

    public init() {}

    var bridge: cvb_frontend_config {
        var c = cvb_frontend_config()
        c.max_features = Int32(maxFeatures); c.grid_cols = Int32(gridColumns); c.grid_rows = Int32(gridRows)
        c.fast_threshold = Int32(fastThreshold); c.min_distance = Int32(minDistance); c.border = Int32(border)
        c.stereo_radius = Int32(stereoRadius); c.max_disparity = Int32(maxDisparity)
        c.ambiguity_ratio = ambiguityRatio; c.lr_tolerance = leftRightTolerance; c.edge_check = edgeCheck ? 1 : 0
        c.support_radius = stereoSupportRadius
        c.lk_window = Int32(lkWindow); c.lk_levels = Int32(lkLevels); c.fb_threshold = forwardBackwardThreshold; c.min_ncc = minimumCorrelation
        return c
    }
}

/// One feature of the current left image, with its calibrated uncertainty.
public struct Feature: Sendable, Equatable {
    /// Track id, stable while the point is tracked.
    public var id: Int64
    /// Position in the current left image, pixels.
    public var uv: SIMD2<Double>
    /// Position in the previous left image, when `isTracked`.
    public var previousUV: SIMD2<Double>?
    /// Calibrated 2×2 covariance of `uv` (σ_uu, σ_uv, σ_vv), px².
    public var covariance: (uu: Double, uv: Double, vv: Double)
    /// Disparity δ = u_left − u_right and its calibrated variance, when the stereo match held.
    public var disparity: Double?
    public var disparityVariance: Double?
    /// Forward–backward error of the temporal match, pixels (0 for new features).
    public var forwardBackwardError: Double
    /// Frames this track has lived (0 when detected in this frame).
    public var age: Int

    public var isTracked: Bool { previousUV != nil }

    /// The feature with its image-plane variances (Σ_uv diagonal and σ_δ²) raised to at least `floor`, px².
    public func withVarianceFloor(_ floor: Double) -> Feature {
        var f = self
        f.covariance = (max(floor, covariance.uu), covariance.uv, max(floor, covariance.vv))
        f.disparityVariance = disparityVariance.map { max(floor, $0) }
        return f
    }

    /// The feature with `offset` added to its disparity (a rig's disparity offset corrected); a
    /// disparity that the offset makes non-positive is dropped.
    public func withDisparityOffset(_ offset: Double) -> Feature {
        guard let d = disparity else { return self }
        var f = self
        if d + offset > 0 { f.disparity = d + offset } else { f.disparity = nil; f.disparityVariance = nil }
        return f
    }

    public init(id: Int64, uv: SIMD2<Double>, previousUV: SIMD2<Double>?, covariance: (uu: Double, uv: Double, vv: Double),
                disparity: Double?, disparityVariance: Double?, forwardBackwardError: Double, age: Int) {
        self.id = id; self.uv = uv; self.previousUV = previousUV; self.covariance = covariance
        self.disparity = disparity; self.disparityVariance = disparityVariance
        self.forwardBackwardError = forwardBackwardError; self.age = age
    }

    public static func == (a: Feature, b: Feature) -> Bool {
        a.id == b.id && a.uv == b.uv && a.previousUV == b.previousUV && a.covariance == b.covariance
            && a.disparity == b.disparity && a.disparityVariance == b.disparityVariance && a.age == b.age
    }
}

/// Per-stage times of one frame, milliseconds.
public struct FrontendTiming: Sendable {
    public var pyramid, track, detect, stereo, total: Double
}

/// Errors of the front end.
public enum FrontendError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)
    /// A configuration value outside its allowed range (`FrontendConfig.settings`,
    /// `OdometryConfig.settings`).
    case invalidSetting(SettingError)
    case imageSize(expected: String, got: String)
    case bridge(String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(m): m   // the bridge names the front end itself
        case let .invalidSetting(e): "configuration: \(e)"
        case let .imageSize(e, g): "front end: image is \(g), expected \(e)"
        case let .bridge(m): "front end: \(m)"
        }
    }
}

/// Keypoints, stereo and temporal matching of a rectified stereo stream, one call per frame.
///
/// ```swift
/// let frontend = try Frontend(camera: dataset.camera)
/// let result = try frontend.process(left: frame.left, right: frame.right)
/// ```
/// Not thread-safe: one front end per stream.
public final class Frontend {
    public let camera: StereoCamera
    public let config: FrontendConfig
    private let handle: OpaquePointer
    private var buffer: [cvb_feature]

    public init(camera: StereoCamera, config: FrontendConfig = FrontendConfig()) throws(FrontendError) {
        if let violation = config.violation { throw .invalidSetting(violation) }
        self.camera = camera
        self.config = config
        var c = config.bridge
        var err = cvb_error()
        guard let h = cvb_frontend_create(&c, Int32(camera.width), Int32(camera.height), &err) else {
            throw .invalidConfiguration(err.text)
        }
        handle = h
        buffer = [cvb_feature](repeating: cvb_feature(), count: config.maxFeatures * 2 + 64)
    }

    deinit { cvb_frontend_free(handle) }

    /// Forgets all tracks; the next frame starts afresh.
    public func reset() { cvb_frontend_reset(handle) }

    /// Processes one rectified stereo frame. `predictions` (track id → expected position in this
    /// left image, e.g. from a motion model) start the tracker closer to the answer.
    public func process(left: GreyImage, right: GreyImage,
                        predictions: [Int64: SIMD2<Double>] = [:]) throws(FrontendError) -> (features: [Feature], timing: FrontendTiming) {
        try run(left: left, right: right, predictions: predictions) { l, r, out, capacity, timing, err in
            cvb_frontend_process(handle, l, r, out, capacity, timing, err)
        }
    }

    /// Processes the last frame again from the same previous frame, the tracker reaching
    /// `extraLevels` (0–4) pyramid levels further (pass the same predictions again: the first
    /// tracking used them up): for a frame whose motion the predictions missed
    /// by more than the pyramid reaches (a sudden turn). Its result replaces the last `process`
    /// call's, for this frame and for the next one's tracking. Throws when the last frame had no
    /// previous one.
    public func retrack(left: GreyImage, right: GreyImage, predictions: [Int64: SIMD2<Double>] = [:],
                        extraLevels: Int) throws(FrontendError) -> (features: [Feature], timing: FrontendTiming) {
        let extra = Int32(extraLevels)
        return try run(left: left, right: right, predictions: predictions) { l, r, out, capacity, timing, err in
            cvb_frontend_retrack(handle, l, r, extra, out, capacity, timing, err)
        }
    }

    /// Sets the predictions, calls the bridge on the images and calibrates its features.
    private func run(left: GreyImage, right: GreyImage, predictions: [Int64: SIMD2<Double>],
                     _ call: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafeMutablePointer<cvb_feature>?, Int32,
                              UnsafeMutablePointer<cvb_frontend_timing>, UnsafeMutablePointer<cvb_error>) -> Int32)
        throws(FrontendError) -> (features: [Feature], timing: FrontendTiming) {
        for img in [left, right] where img.width != camera.width || img.height != camera.height {
            throw .imageSize(expected: "\(camera.width)×\(camera.height)", got: img.sizeDescription)
        }
        if !predictions.isEmpty {
            let entries = Array(predictions)
            let ids = entries.map(\.key)
            let uv = entries.flatMap { [Float($0.value.x), Float($0.value.y)] }
            cvb_frontend_set_predictions(handle, ids, uv, Int32(ids.count))
        }
        var timing = cvb_frontend_timing()
        var err = cvb_error()
        let capacity = Int32(buffer.count)
        let n = left.pixels.withUnsafeBufferPointer { l in
            right.pixels.withUnsafeBufferPointer { r in
                buffer.withUnsafeMutableBufferPointer { out in
                    call(l.baseAddress, r.baseAddress, out.baseAddress, capacity, &timing, &err)
                }
            }
        }
        guard n >= 0 else { throw .bridge(err.text) }
        let features = buffer.prefix(Int(n)).map(calibrated)
        return (features, FrontendTiming(pyramid: timing.pyramid_ms, track: timing.track_ms, detect: timing.detect_ms,
                                         stereo: timing.stereo_ms, total: timing.total_ms))
    }

    /// Applies the calibrated uncertainty model to one raw bridge feature.
    private func calibrated(_ f: cvb_feature) -> Feature {
        let tracked = f.flags & Int32(CVB_FEATURE_TRACKED) != 0
        let stereo = f.flags & Int32(CVB_FEATURE_STEREO) != 0
        let floor = config.varianceFloor
        let cov: (uu: Double, uv: Double, vv: Double)
        if tracked {
            let s = config.flowVarianceScale
            cov = (max(floor, s * Double(f.cov_uu)), s * Double(f.cov_uv), max(floor, s * Double(f.cov_vv)))
        } else {
            cov = (config.detectionVariance, 0, config.detectionVariance)
        }
        return Feature(
            id: f.id,
            uv: SIMD2(Double(f.u), Double(f.v)),
            previousUV: tracked ? SIMD2(Double(f.prev_u), Double(f.prev_v)) : nil,
            covariance: cov,
            disparity: stereo ? Double(f.disparity) : nil,
            disparityVariance: stereo ? max(config.disparityVarianceFloor, config.disparityVarianceScale * Double(f.disparity_var))
                + config.disparityRigVariance : nil,
            forwardBackwardError: Double(f.fb_error),
            age: Int(f.age)
        )
    }
}

