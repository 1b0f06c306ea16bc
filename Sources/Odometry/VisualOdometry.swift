import Foundation
import Frontend
import Geometry
import Imaging

/// Covariance-aware stereo visual odometry (METHOD.md §2–5): one call per rectified stereo frame.
///
/// ```swift
/// let vo = try VisualOdometry(camera: dataset.camera)
/// var refinement = KeyframeRefinement()
/// for frame in frames {
///     let result = try vo.process(left: frame.left, right: frame.right, timestamp: frame.timestamp)
///     refinement.add(result)                       // result.pose: the live pose
/// }
/// refinement.update(vo.settle())
/// let trajectory = refinement.refined()            // every frame after the window's last word
/// ```
/// Composed of single-purpose parts: the front end (features, stereo, tracking), the motion model
/// (prediction and prior), the keyframe map (points and their accumulated tracker covariances),
/// the pose solver, the keyframe window (pose graph and bundle adjustment), the chain of
/// relative covariances between reported keyframes, and the tracking-loss policy. `process` runs
/// them in that order, except that a new keyframe's window optimisation runs on another thread
/// beside the next frame's front end and is applied before that frame's solve: the results are
/// the same as in line, and `process` calls must not overlap (one caller at a time).
public final class VisualOdometry {
    public let camera: StereoCamera
    public let config: OdometryConfig
    private let frontend: Frontend
    private let solver: PoseSolver
    private let selector: KeypointSelector
    private let lossPolicy: TrackingLossPolicy

    private var frameIndex = 0
    private var motion: MotionModel
    private var map = KeyframeMap()
    private var window: KeyframeWindow
    private var chain = KeyframeChain()
    /// The previous frame's pose covariance.
    private var lastCovariance = Mat6()
    /// The last solve relative to the keyframe, and its covariance.
    private var relative = SE3.identity, relativeCovariance = Mat6()
    /// The previous frame's features (where the motion model predicts them; rescue keyframes).
    private var previousFeatures: [Feature] = []
    /// The online disparity-offset estimate (nil when the offset is fixed by the configuration).
    private var offsetEstimator: DisparityOffsetEstimator?
    /// The disparity offset this frame's features and the previous frame's were measured with (the
    /// keyframe map keeps its own).
    private var frameOffset = 0.0, previousOffset = 0.0
    /// The current keyframe's number (−1 before the first).
    private var keyframeNumber = -1
    /// The newest keyframe's window update, computing beside the next frame's front end.
    private var pendingWindow: PendingWindowUpdate?
    /// The window keyframes' poses as a window update applied them during this frame (kept apart: a
    /// loss or rescue later in the frame restarts the window, and they must still be reported).
    private var joinedPoses: [Int: SE3] = [:]

    /// Throws when a configuration value is outside its allowed range (`OdometryConfig.settings`).
    public init(camera: StereoCamera, config: OdometryConfig = OdometryConfig()) throws(FrontendError) {
        if let violation = config.violation { throw .invalidSetting(violation) }
        self.camera = camera
        self.config = config
        frontend = try Frontend(camera: camera, config: config.frontend)
        window = KeyframeWindow(size: config.windowSize)
        motion = MotionModel(config: config)
        solver = PoseSolver(camera: camera, config: config)
        selector = KeypointSelector(count: config.selectedPoints, border: config.selectorBorder,
                                    medianFactor: config.selectorMedianFactor, enabled: config.selectorEnabled)
        lossPolicy = TrackingLossPolicy(minInliers: config.minInliers)
        if config.estimateDisparityOffset { offsetEstimator = DisparityOffsetEstimator(initial: config.disparityOffset) }
    }

    /// The disparity offset applied to measured disparities now, px.
    public var disparityOffset: Double { offsetEstimator?.offset ?? config.disparityOffset }

    /// Processes one rectified stereo frame.
    public func process(left: GreyImage, right: GreyImage, timestamp: Double) throws(FrontendError) -> FrameResult {
        let start = Date()
        let predictions = frameIndex > 1
            ? motion.predictions(of: previousFeatures, camera: camera, minDisparity: config.minDisparity) : [:]
        let (measured, timing) = try frontend.process(left: left, right: right, predictions: predictions)
        let offset = disparityOffset
        var features = prepared(measured, offset: offset)
        let lastFrameFeatures = previousFeatures
        previousFeatures = features
        (previousOffset, frameOffset) = (frameOffset, offset)
        var stats = FrameStats()
        stats.count(features)
        stats.frontendMs = timing.total
        stats.disparityOffset = offset
        defer { frameIndex += 1 }

        if frameIndex == 0 {
            makeKeyframe(stereoPoints(features), pose: .identity, covariance: Mat6())
            window.start(windowKeyframe(pose: .identity))
            motion.start(at: .identity)
            stats.totalMs = Date().timeIntervalSince(start) * 1000
            return FrameResult(index: frameIndex, timestamp: timestamp, pose: .identity, covariance: Mat6(), state: .initialised,
                               stats: stats, keyframe: try snapshot(left), reference: keyframeNumber, referencePose: map.pose,
                               keyframePoses: keyframePoses())
        }

        let t0 = Date()
        let numberBefore = keyframeNumber
        // A failed solve tracks the frame again with a deeper pyramid before anything changes (a
        // sudden turn can move the image further than the predictions and the pyramid reach).
        let retrack = config.retrackLevels > 0 ? { () throws(FrontendError) -> ([Feature], Double) in
            let (again, retiming) = try self.frontend.retrack(left: left, right: right, predictions: predictions,
                                                              extraLevels: self.config.retrackLevels)
            return (self.prepared(again, offset: offset), retiming.total)
        } : nil
        let (pose, covariance, state) = try track(&features, previousFrame: lastFrameFeatures, retrack: retrack, stats: &stats)
        previousFeatures = features
        // The retrack's front-end time is in frontendMs already.
        stats.poseMs = Date().timeIntervalSince(t0) * 1000 - (stats.frontendMs - timing.total)
        motion.advance(to: pose, lost: state == .lost)
        lastCovariance = covariance
        stats.totalMs = Date().timeIntervalSince(start) * 1000
        let keyframe = state == .tracking ? nil : try snapshot(left)
        return FrameResult(index: frameIndex, timestamp: timestamp, pose: pose, covariance: covariance, state: state,
                           stats: stats, keyframe: keyframe, reference: keyframeNumber, referencePose: map.pose,
                           keyframePoses: reportedKeyframePoses(keyframeMade: keyframeNumber != numberBefore))
    }

    /// The front end's features with the measurement variance floor and the disparity offset applied.
    private func prepared(_ measured: [Feature], offset: Double) -> [Feature] {
        let floor = config.measurementVarianceFloor
        let floored = floor > 0 ? measured.map { $0.withVarianceFloor(floor) } : measured
        return offset != 0 ? floored.map { $0.withDisparityOffset(offset) } : floored
    }

    /// Solves the frame against the keyframe map (rescuing or losing tracking as the policy
    /// says) and makes a keyframe when tracking thins out or the camera has moved far. When the
    /// solve fails, `retrack` (if given) first replaces the frame's features with those of a
    /// second tracking (and its time, ms), before the window, the map or the keyframes change.
    private func track(_ features: inout [Feature], previousFrame: [Feature],
                       retrack: (() throws(FrontendError) -> ([Feature], Double))?,
                       stats: inout FrameStats) throws(FrontendError) -> (SE3, Mat6, TrackingState) {
        applyWindowUpdate()
        alignKeyframeOffset()
        // Matching accumulates each track's covariance in the map: a retrack matches from the map as it was.
        let unmatched = map
        var matches = map.matches(features, camera: camera, minDisparity: config.minDisparity)
        stats.matches = matches.count
        stats.keyframePoints = map.pointCount
        let predictedWorld = motion.predictedPose
        let prior = motion.prior(frameIndex: frameIndex)
        var solved = solver.solve(matches, prediction: (map.pose.inverse * predictedWorld).orthonormalized, priorInformation: prior)
        if solved == nil, let retrack {
            let (again, ms) = try retrack()
            features = again
            stats.count(features)
            stats.frontendMs += ms
            stats.retracked = true
            map = unmatched
            matches = map.matches(features, camera: camera, minDisparity: config.minDisparity)
            stats.matches = matches.count
            solved = solver.solve(matches, prediction: (map.pose.inverse * predictedWorld).orthonormalized, priorInformation: prior)
        }
        window.track(features)
        if solved == nil {
            let previousPoints = stereoPoints(previousFrame)
            if lossPolicy.shouldRescue(frameIndex: frameIndex, previousPoints: previousPoints.count) {
                // The previous frame becomes the keyframe (it hangs off the current one by its solve).
                makeKeyframe(previousPoints, pose: motion.lastPose, covariance: lastCovariance, keepAll: true, offset: previousOffset)
                window.start(windowKeyframe(pose: motion.lastPose))
                chain.rescued(relative: relative, covariance: relativeCovariance)
                alignKeyframeOffset()
                matches = map.matches(features, camera: camera, minDisparity: config.minDisparity)
                stats.matches = matches.count
                stats.keyframePoints = map.pointCount
                solved = solver.solve(matches, prediction: (map.pose.inverse * predictedWorld).orthonormalized, priorInformation: prior)
            }
        }
        guard let est = solved else {
            // Lost: a pose from the motion model, the uncertainty of a guess, a new keyframe here.
            let covariance = lossPolicy.lostCovariance(velocity: motion.velocity, keyframeCovariance: map.covariance,
                                                       lastSolve: relativeCovariance)
            makeKeyframe(stereoPoints(features), pose: predictedWorld, covariance: covariance)
            window.start(windowKeyframe(pose: predictedWorld))
            chain.lost()
            return (predictedWorld, covariance, .lost)
        }
        relative = est.pose
        relativeCovariance = est.covariance
        stats.inliers = est.inlierCount
        stats.meanChiSquare = est.meanChiSquare
        let pose = (map.pose * est.pose).orthonormalized
        let ad = est.pose.inverse.adjoint
        let covariance = ad * map.covariance * ad.transposed + est.covariance
        let moved = est.pose.translation.norm > config.keyframeTranslation || est.pose.rotation.angle > config.keyframeRotation
        guard Double(est.inlierCount) < config.keyframeInlierFraction * Double(map.pointCount) || moved else {
            return (pose, covariance, .tracking)
        }
        if offsetEstimator != nil { estimateOffset(features, relative: est.pose) }
        chain.keyframe(relative: est.pose, covariance: est.covariance)
        makeKeyframe(stereoPoints(features), pose: pose, covariance: covariance)
        if config.windowSize > 1 {
            // The window's optimisation runs beside the next frame's front end (which needs only the
            // motion model's velocity, which the correction leaves as it is); this frame is reported
            // at its solved pose, the keyframe's optimised one follows in the refined trajectory.
            let (window, added, solver, offset, features) = (window, windowKeyframe(pose: map.pose), solver, map.measurementOffset, features)
            pendingWindow = PendingWindowUpdate {
                WindowUpdate(window: window, adding: added, features: features, solve: est, solver: solver, offset: offset)
            }
        }
        return (pose, covariance, .keyframe)
    }

    /// Waits for the newest keyframe's window update, if one is running, and applies it: the window
    /// takes it, the keyframe moves to its optimised pose (with its refined points when
    /// `bundleAdjustmentRefinesPoints`), and the motion model moves with the keyframe (so the velocity
    /// stays the same).
    private func applyWindowUpdate() {
        guard let pending = pendingWindow else { return }
        pendingWindow = nil
        guard let update = pending.wait(), let pose = update.pose else { return }
        window = update.window
        if config.bundleAdjustmentRefinesPoints, !update.refined.isEmpty { map.refine(update.refined, keyframePose: pose) }
        motion.shift(by: pose * map.pose.inverse)
        map.move(to: pose)
        joinedPoses = keyframePoses()
    }

    /// The keyframe poses a frame reports: those a window update applied during it, and the
    /// window's (with the current keyframe's) when the frame made a keyframe.
    private func reportedKeyframePoses(keyframeMade: Bool) -> [Int: SE3] {
        defer { joinedPoses = [:] }
        return keyframeMade ? joinedPoses.merging(keyframePoses()) { $1 } : joinedPoses
    }

    /// Waits for the window optimisation of the newest keyframe, if one is still running, and
    /// returns the window keyframes' poses it set, by keyframe number (empty when none was
    /// running). Call it after the last frame: the last keyframe's optimisation is otherwise
    /// reported with the frame after it.
    public func settle() -> [Int: SE3] {
        applyWindowUpdate()
        defer { joinedPoses = [:] }
        return joinedPoses
    }

    /// The current keyframe as a window keyframe. Every stereo point is kept for the bundle
    /// adjustment only (building them costs a dictionary per keyframe), with the disparity offset
    /// they were measured with.
    private func windowKeyframe(pose: SE3) -> KeyframeWindow.Keyframe {
        KeyframeWindow.Keyframe(number: keyframeNumber, pose: pose,
                                points: map.pointsAsMeasured(camera: camera, minDisparity: config.minDisparity),
                                observations: config.bundleAdjustment ? map.observations : [:], offset: map.measurementOffset)
    }

    /// The window keyframes' poses by number, and the current keyframe's (the window holds only its
    /// first keyframe when the window is off).
    private func keyframePoses() -> [Int: SE3] {
        var poses = Dictionary(window.keyframes.map { ($0.number, $0.pose) }, uniquingKeysWith: { _, b in b })
        poses[keyframeNumber] = map.pose
        return poses
    }

    /// The current keyframe's points with ORB descriptors from `image` (its left image), when
    /// `config.describeKeyframes`.
    private func snapshot(_ image: GreyImage) throws(FrontendError) -> KeyframeSnapshot? {
        // A keyframe without stereo points (a black or textureless frame after tracking loss)
        // holds nothing to recognise or to anchor a submap: it is not reported.
        guard config.describeKeyframes, !map.stereoPoints.isEmpty else { return nil }
        let points = map.stereoPoints
        let descriptors = try ORBDescriptor.describe(image, at: points.map(\.uv))
        defer { chain.reported(at: frameIndex) }
        let intensities = points.map { p -> UInt8 in
            let x = min(max(Int(p.uv.x.rounded()), 0), image.width - 1), y = min(max(Int(p.uv.y.rounded()), 0), image.height - 1)
            return image.pixels[y * image.width + x]
        }
        return KeyframeSnapshot(index: frameIndex, number: keyframeNumber, pose: map.pose, measurements: points.map(\.measurement),
                                camera: camera, descriptors: descriptors, previous: chain.link?.previous,
                                relativeCovariance: chain.link?.covariance, intensities: intensities)
    }

    /// Brings the keyframe's tracked points to this frame's disparity offset when the estimate
    /// has moved since they were made: a pose solve that compares points and observations
    /// measured with different offsets reads the difference as motion along the points' rays.
    private func alignKeyframeOffset() {
        map.shiftDisparities(to: frameOffset, camera: camera, minDisparity: config.minDisparity)
    }

    /// Updates the disparity-offset estimate from a new keyframe's matches with the previous
    /// keyframe (whose points the frame's solve brought to the offset applied now).
    private func estimateOffset(_ features: [Feature], relative: SE3) {
        var matches: [DisparityOffsetEstimator.Match] = []
        for f in features where f.isTracked {
            guard let p = map.points[f.id], let d = f.disparity, let vd = f.disparityVariance else { continue }
            matches.append(.init(keyframe: (p.uv, p.disparity, p.disparityVariance, (p.pixelCovariance.uu, p.pixelCovariance.vv)),
                                 current: (f.uv, d, vd, (f.covariance.uu, f.covariance.vv))))
        }
        offsetEstimator?.update(matches, relative: relative, camera: camera)
    }

    /// The features that triangulate.
    private func stereoPoints(_ features: [Feature]) -> [StereoPoint] {
        features.compactMap { StereoPoint($0, camera: camera, minDisparity: config.minDisparity) }
    }

    /// A frame with these stereo points becomes the keyframe: the selected points (all of them
    /// with `keepAll`, for a rescue keyframe) are tracked; `offset` is the disparity offset they
    /// were made with (this frame's by default).
    private func makeKeyframe(_ points: [StereoPoint], pose: SE3, covariance: Mat6, keepAll: Bool = false, offset: Double? = nil) {
        let selected = keepAll ? points : selector.select(points, width: camera.width, height: camera.height)
        keyframeNumber += 1
        map.reset(stereoPoints: points, selected: selected, pose: pose, covariance: covariance, offset: offset ?? frameOffset)
    }
}
