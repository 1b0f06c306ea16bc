import Imaging
import Foundation
import Frontend
import Geometry

/// Tracking state of a frame.
public enum TrackingState: String, Sendable, Codable {
    /// The first frame: the world frame is this camera's frame.
    case initialised
    /// Tracked against the current keyframe.
    case tracking
    /// Tracked, and became the new keyframe.
    case keyframe
    /// Too few good matches: the pose comes from the motion model and a new keyframe starts here.
    case lost
}

/// Per-frame statistics.
public struct FrameStats: Sendable, Codable {
    public var features = 0, stereo = 0, tracked = 0, matches = 0, inliers = 0
    /// Points of the keyframe this frame was tracked against.
    public var keyframePoints = 0
    public var meanChiSquare = 0.0
    public var frontendMs = 0.0, poseMs = 0.0, totalMs = 0.0
}

/// What the odometry reports for one frame.
public struct FrameResult: Sendable {
    public var index: Int
    public var timestamp: Double
    /// `T_world_camera` (world = the first camera's frame).
    public var pose: SE3
    /// 6×6 covariance of `pose` (right perturbation, (ρ, φ) order), growing with distance travelled.
    public var covariance: Mat6
    public var state: TrackingState
    public var stats: FrameStats
    /// The keyframe this frame started (first frame, new keyframe, restart after loss), with its
    /// points and their ORB descriptors for place recognition; nil otherwise.
    public var keyframe: KeyframeSnapshot?
}

/// A keyframe as the odometry made it: its pose, all its stereo points (camera frame, with metric
/// covariances) and an ORB descriptor per point (nil near the border).
public struct KeyframeSnapshot: Sendable {
    /// Frame index of the keyframe.
    public var index: Int
    /// `T_world_keyframe` as the odometry estimated it.
    public var pose: SE3
    public var points: [StereoPoint]
    public var descriptors: [ORBDescriptor?]
    /// Frame index of the previous keyframe this one was solved against, and the 6×6 covariance
    /// of that relative pose ((ρ, φ), right perturbation); nil after tracking loss or a restart
    /// (a new submap begins).
    public var previous: Int?
    public var relativeCovariance: Mat6?
}

/// Covariance-aware stereo visual odometry (METHOD.md §2–5): one call per rectified stereo frame.
///
/// ```swift
/// let vo = try VisualOdometry(camera: dataset.camera)
/// for frame in frames { let result = try vo.process(left: frame.left, right: frame.right, timestamp: frame.timestamp) }
/// ```
/// Tracks keyframe points with the front end, solves each frame's pose relative to the keyframe
/// with covariance-weighted residuals, and starts a new keyframe when tracking thins out.
public final class VisualOdometry {
    public let camera: StereoCamera
    public let config: OdometryConfig
    private let frontend: Frontend
    private let solver: PoseSolver
    private let selector: KeypointSelector

    private var frameIndex = 0
    private var keyframePose = SE3.identity
    private var keyframeCovariance = Mat6()
    /// The previous frame's pose covariance.
    private var lastCovariance = Mat6()
    /// Frame index of the last keyframe reported in a snapshot (nil after a rescue keyframe, which
    /// is a past frame and has none), and the link of the keyframe being made to it.
    private var lastSnapshot: Int?
    private var keyframeLink: (previous: Int, covariance: Mat6)?
    /// Covariance of a rescue keyframe relative to the last reported keyframe, until the next one.
    private var rescueCovariance: Mat6?
    /// Every stereo point of the current keyframe (the selector keeps a subset for tracking; place
    /// recognition and loop verification use them all).
    private var keyframeStereoPoints: [StereoPoint] = []
    /// The last keyframes and the relative poses between them (sliding-window optimisation).
    private var window: KeyframeWindow
    /// Information matrix of the constant-velocity prior (nil when the config turns it off).
    private let motionPrior: Mat6?
    private var keyframePointCount = 0
    /// Keyframe points by track id (keyframe camera frame).
    private var mapPoints: [Int64: StereoPoint] = [:]
    /// Accumulated LK covariance of each track since the keyframe.
    private var accumulated: [Int64: (uu: Double, uv: Double, vv: Double)] = [:]
    private var lastPose = SE3.identity, previousPose = SE3.identity
    /// The previous frame lost tracking (its velocity is a guess: no motion prior from it).
    private var lastWasLost = false
    private var relative = SE3.identity
    /// The previous frame's features (for motion-model predictions of where they reappear).
    private var previousFeatures: [Feature] = []
    private var relativeCovariance = Mat6()

    /// Throws when a configuration value is outside its allowed range (`OdometryConfig.settings`).
    public init(camera: StereoCamera, config: OdometryConfig = OdometryConfig()) throws(FrontendError) {
        if let violation = config.violation { throw .invalidSetting(violation) }
        self.camera = camera
        self.config = config
        frontend = try Frontend(camera: camera, config: config.frontend)
        window = KeyframeWindow(size: config.windowSize)
        if config.motionPriorTranslation > 0, config.motionPriorRotation > 0 {
            let t = 1 / (config.motionPriorTranslation * config.motionPriorTranslation)
            let r = 1 / (config.motionPriorRotation * config.motionPriorRotation)
            motionPrior = Mat6(diagonal: Vec6(Vec3(t, t, t), Vec3(r, r, r)))
        } else {
            motionPrior = nil
        }
        solver = PoseSolver(camera: camera, config: config)
        selector = KeypointSelector(count: config.selectedPoints, border: config.selectorBorder,
                                    medianFactor: config.selectorMedianFactor, enabled: config.selectorEnabled)
    }

    /// Processes one rectified stereo frame.
    public func process(left: GreyImage, right: GreyImage, timestamp: Double) throws(FrontendError) -> FrameResult {
        let start = Date()
        let velocity = previousPose.inverse * lastPose
        let (measured, timing) = try frontend.process(left: left, right: right,
                                                      predictions: frameIndex > 1 ? predictions(motion: velocity) : [:])
        let floor = config.measurementVarianceFloor
        let features = floor > 0 ? measured.map { $0.withVarianceFloor(floor) } : measured
        let lastFrameFeatures = previousFeatures
        previousFeatures = features
        var stats = FrameStats()
        stats.features = features.count
        stats.stereo = features.filter { $0.disparity != nil }.count
        stats.tracked = features.filter(\.isTracked).count
        stats.frontendMs = timing.total
        defer { frameIndex += 1 }

        if frameIndex == 0 {
            makeKeyframe(stereoPoints(features), pose: .identity, covariance: Mat6())
            window.start(KeyframeWindow.Keyframe(pose: .identity, points: mapPoints))
            lastPose = .identity; previousPose = .identity
            stats.totalMs = Date().timeIntervalSince(start) * 1000
            return FrameResult(index: frameIndex, timestamp: timestamp, pose: .identity, covariance: Mat6(), state: .initialised,
                               stats: stats, keyframe: try snapshot(left))
        }

        // Matches: keyframe points still tracked, with their current observation.
        let t0 = Date()
        var matches = keyframeMatches(features)
        stats.matches = matches.count
        stats.keyframePoints = keyframePointCount
        // Constant-velocity prediction of the pose relative to the keyframe.
        let predictedWorld = (lastPose * velocity).orthonormalized
        let prediction = (keyframePose.inverse * predictedWorld).orthonormalized

        var state = TrackingState.tracking
        var pose: SE3, covariance: Mat6
        // The motion prior needs a velocity: two frames tracked in a row.
        let prior = frameIndex > 1 && !lastWasLost ? motionPrior : nil
        window.track(features)
        var solved = solver.solve(matches, prediction: prediction, priorInformation: prior)
        if solved == nil, frameIndex > 1 {
            // Too few keyframe points survive: the previous frame becomes the keyframe and this
            // frame is solved against its stereo points (tracked one frame) before giving up.
            let previousPoints = stereoPoints(lastFrameFeatures)
            if previousPoints.count >= config.minInliers {
                makeKeyframe(previousPoints, pose: lastPose, covariance: lastCovariance, keepAll: true)
                window.start(KeyframeWindow.Keyframe(pose: lastPose, points: mapPoints))
                // The rescue keyframe (the previous frame) hangs off the current keyframe by the
                // previous frame's solve: carry that link's covariance to the next reported keyframe.
                let ad = relative.inverse.adjoint
                rescueCovariance = rescueCovariance.map { ad * $0 * ad.transposed + relativeCovariance } ?? relativeCovariance
                matches = keyframeMatches(features)
                stats.matches = matches.count
                stats.keyframePoints = keyframePointCount
                let fromLast = (keyframePose.inverse * predictedWorld).orthonormalized
                solved = solver.solve(matches, prediction: fromLast, priorInformation: prior)
            }
        }
        if let est = solved {
            relative = est.pose
            relativeCovariance = est.covariance
            stats.inliers = est.inlierCount
            stats.meanChiSquare = est.meanChiSquare
            pose = (keyframePose * est.pose).orthonormalized
            let ad = est.pose.inverse.adjoint
            covariance = ad * keyframeCovariance * ad.transposed + est.covariance
            let moved = est.pose.translation.norm > config.keyframeTranslation || est.pose.rotation.angle > config.keyframeRotation
            if Double(est.inlierCount) < config.keyframeInlierFraction * Double(keyframePointCount) || moved {
                let linkCovariance = rescueCovariance.map { ad * $0 * ad.transposed + est.covariance } ?? est.covariance
                keyframeLink = lastSnapshot.map { ($0, linkCovariance) }
                rescueCovariance = nil
                makeKeyframe(stereoPoints(features), pose: pose, covariance: covariance)
                state = .keyframe
                if config.windowSize > 1 {
                    // Every stereo point is kept for the bundle adjustment only: building it costs a dictionary per keyframe.
                    let added = KeyframeWindow.Keyframe(pose: pose, points: mapPoints,
                                                        observations: config.bundleAdjustment ? keyframeObservations : [:])
                    var optimised = window.add(added, features: features, relative: est.pose, relativeCovariance: est.covariance,
                                               solver: solver, minInliers: config.minInliers)
                    if config.bundleAdjustment { optimised = refineByBundleAdjustment() ?? optimised }
                    // Move the motion model with the correction so the velocity stays the same.
                    let correction = optimised * pose.inverse
                    previousPose = (correction * previousPose).orthonormalized
                    lastPose = (correction * lastPose).orthonormalized
                    pose = optimised
                    keyframePose = optimised
                }
            }
        } else {
            // Tracking loss: keep a pose from the motion model, grow its uncertainty, restart here.
            pose = predictedWorld
            let ad = velocity.inverse.adjoint
            covariance = ad * (keyframeCovariance + relativeCovariance) * ad.transposed + relativeCovariance * 4
            makeKeyframe(stereoPoints(features), pose: pose, covariance: covariance)
            window.start(KeyframeWindow.Keyframe(pose: pose, points: mapPoints))
            rescueCovariance = nil
            state = .lost
        }
        stats.poseMs = Date().timeIntervalSince(t0) * 1000
        lastWasLost = state == .lost
        previousPose = lastPose
        lastPose = pose
        lastCovariance = covariance
        stats.totalMs = Date().timeIntervalSince(start) * 1000
        let keyframe = state == .tracking ? nil : try snapshot(left)
        return FrameResult(index: frameIndex, timestamp: timestamp, pose: pose, covariance: covariance, state: state,
                           stats: stats, keyframe: keyframe)
    }

    /// Where the previous frame's features should appear if the camera moves by `motion`
    /// (pose of the new camera in the previous one): stereo points are reprojected; points without
    /// depth are moved by the rotation alone (as if at infinity).
    private func predictions(motion: SE3) -> [Int64: SIMD2<Double>] {
        let inv = motion.inverse
        var out: [Int64: SIMD2<Double>] = [:]
        out.reserveCapacity(previousFeatures.count)
        for f in previousFeatures {
            let q: Vec3
            if let d = f.disparity, d >= config.minDisparity {
                q = inv * camera.backProject(u: f.uv.x, v: f.uv.y, disparity: d).point
            } else {
                q = inv.rotation * camera.backProject(u: f.uv.x, v: f.uv.y, depth: 1)
            }
            guard q.z > 0.1 else { continue }
            let uv = camera.project(q)
            if camera.contains(uv) { out[f.id] = uv }
        }
        return out
    }

    /// The current keyframe's points with ORB descriptors from `image` (its left image), when
    /// `config.describeKeyframes`.
    private func snapshot(_ image: GreyImage) throws(FrontendError) -> KeyframeSnapshot? {
        // A keyframe without stereo points (a black or textureless frame after tracking loss)
        // holds nothing to recognise or to anchor a submap: it is not reported.
        guard config.describeKeyframes, !keyframeStereoPoints.isEmpty else { return nil }
        let points = keyframeStereoPoints
        let descriptors = try ORBDescriptor.describe(image, at: points.map(\.uv))
        defer { lastSnapshot = frameIndex; keyframeLink = nil }
        return KeyframeSnapshot(index: frameIndex, pose: keyframePose, points: points, descriptors: descriptors,
                                previous: keyframeLink?.previous, relativeCovariance: keyframeLink?.covariance)
    }

    /// Matches between the keyframe's points still tracked and their current observations; the
    /// observation covariance accumulates the tracker's covariance frame by frame since the keyframe.
    private func keyframeMatches(_ features: [Feature]) -> [PoseMatch] {
        var matches: [PoseMatch] = []
        matches.reserveCapacity(mapPoints.count)
        for f in features where f.isTracked {
            guard let p = mapPoints[f.id] else { continue }
            let acc = accumulated[f.id] ?? (0, 0, 0)
            let cov = (uu: acc.uu + f.covariance.uu, uv: acc.uv + f.covariance.uv, vv: acc.vv + f.covariance.vv)
            accumulated[f.id] = cov
            matches.append(PoseMatch(p, observedAs: f, uvCovariance: cov, camera: camera, minDisparity: config.minDisparity))
        }
        return matches
    }

    /// Every stereo point of the current keyframe, by track id.
    private var keyframeObservations: [Int64: StereoPoint] {
        Dictionary(keyframeStereoPoints.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Bundle-adjusts the window; the new keyframe's map points take their refined positions.
    /// Returns the new keyframe's refined pose (nil when the adjustment did not run).
    private func refineByBundleAdjustment() -> SE3? {
        var adjustment = BundleAdjustment()
        adjustment.huber = config.huberThreshold
        adjustment.maxIterations = config.bundleAdjustmentIterations
        let refined = window.bundleAdjust(camera: camera, adjustment: adjustment, gate: config.inlierChiSquare)
        guard !refined.isEmpty, let newest = window.keyframes.last?.pose else { return nil }
        let toCamera = newest.inverse
        for (id, world) in refined where mapPoints[id] != nil { mapPoints[id]?.position = toCamera * world }
        return newest
    }

    /// The features that triangulate.
    private func stereoPoints(_ features: [Feature]) -> [StereoPoint] {
        features.compactMap { StereoPoint($0, camera: camera, minDisparity: config.minDisparity) }
    }

    /// A frame with these stereo points becomes the keyframe: the selected points (all of them
    /// with `keepAll`, for a rescue keyframe) become the map.
    private func makeKeyframe(_ points: [StereoPoint], pose: SE3, covariance: Mat6, keepAll: Bool = false) {
        keyframeStereoPoints = points
        let selected = keepAll ? points : selector.select(points, width: camera.width, height: camera.height)
        mapPoints = Dictionary(selected.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        accumulated = [:]
        keyframePointCount = selected.count
        keyframePose = pose
        keyframeCovariance = covariance
    }
}
