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
    /// The disparity offset applied to this frame's disparities, px.
    public var disparityOffset = 0.0
    /// The first solve failed and the frame was tracked again with a deeper pyramid
    /// (`OdometryConfig.retrackLevels`); the counts are the second tracking's.
    public var retracked = false

    /// Sets the feature, stereo and track counts from the frame's features.
    mutating func count(_ features: [Feature]) {
        self.features = features.count
        stereo = features.filter { $0.disparity != nil }.count
        tracked = features.filter(\.isTracked).count
    }
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
    /// Number of the keyframe `pose` is relative to (keyframes are numbered 0, 1, … in order of
    /// creation; a frame that makes a keyframe of its own points is that keyframe, at `pose`; a rescue
    /// keyframe is the previous frame's), and that keyframe's pose as it stood then (`pose` relative
    /// to it is what the frame's solve measured).
    public var reference: Int
    public var referencePose: SE3
    /// Poses of the window's keyframes by keyframe number, on frames where they changed: a new
    /// keyframe's pose as it was made, and (on the frame after it, when the window optimisation and
    /// bundle adjustment have run beside that frame's front end) every window keyframe's optimised
    /// pose. Empty on other frames. A keyframe's last entry is its final pose (`KeyframeRefinement`
    /// moves each frame with its reference keyframe; `VisualOdometry.settle()` gives the last).
    public var keyframePoses: [Int: SE3] = [:]
}

/// A keyframe as the odometry made it: its pose, all its stereo points (camera frame, with metric
/// covariances) and an ORB descriptor per point (nil near the border).
public struct KeyframeSnapshot: Sendable {
    /// Frame index of the keyframe.
    public var index: Int
    /// The keyframe's number (`FrameResult.reference`).
    public var number: Int
    /// `T_world_keyframe` as the odometry made it, before the window optimisation (which runs
    /// beside the next frame; its poses follow in `FrameResult.keyframePoses` by `number`, and the
    /// loop closer moves its keyframes to them).
    public var pose: SE3
    /// The keyframe's stereo measurements, compact (see `points`).
    public var measurements: [KeyframePoint]
    /// The camera the measurements triangulate with.
    public var camera: StereoCamera
    public var descriptors: [ORBDescriptor?]
    /// Frame index of the previous keyframe this one was solved against, and the 6×6 covariance
    /// of that relative pose ((ρ, φ), right perturbation); nil after tracking loss or a restart
    /// (a new submap begins).
    public var previous: Int?
    public var relativeCovariance: Mat6?
    /// The image's grey value at each point (for the map).
    public var intensities: [UInt8] = []

    /// Every stereo point of the keyframe (camera frame, with metric covariances), triangulated
    /// from `measurements` on each call: read it once per use.
    public var points: [StereoPoint] { measurements.map { StereoPoint($0, camera: camera) } }
}

