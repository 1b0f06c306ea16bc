import Frontend
import Geometry

/// Constant-velocity motion model: predicts the next pose from the last two, says where the
/// previous frame's features should reappear, and supplies the weak motion prior of a pose solve.
struct MotionModel {
    private(set) var lastPose = SE3.identity, previousPose = SE3.identity
    /// The previous frame lost tracking (its velocity is a guess: no motion prior from it).
    private(set) var lastWasLost = false
    /// Information matrix of the constant-velocity prior (nil when the config turns it off).
    private let priorInformation: Mat6?

    init(config: OdometryConfig) {
        if config.motionPriorTranslation > 0, config.motionPriorRotation > 0 {
            let t = 1 / (config.motionPriorTranslation * config.motionPriorTranslation)
            let r = 1 / (config.motionPriorRotation * config.motionPriorRotation)
            priorInformation = Mat6(diagonal: Vec6(Vec3(t, t, t), Vec3(r, r, r)))
        } else {
            priorInformation = nil
        }
    }

    /// The last frame-to-frame motion (pose of the last camera in the one before).
    var velocity: SE3 { previousPose.inverse * lastPose }

    /// The pose the next frame is predicted at.
    var predictedPose: SE3 { (lastPose * velocity).orthonormalized }

    /// The prior for frame `frameIndex`'s solve: it needs a velocity, two frames tracked in a row.
    func prior(frameIndex: Int) -> Mat6? { frameIndex > 1 && !lastWasLost ? priorInformation : nil }

    /// Starts at `pose` (the first frame).
    mutating func start(at pose: SE3) { lastPose = pose; previousPose = pose }

    /// Moves the last pose with a correction of the newest keyframe (`correction · T`), so the
    /// velocity applied to the next frame follows the corrected trajectory.
    mutating func shift(by correction: SE3) {
        previousPose = (correction * previousPose).orthonormalized
        lastPose = (correction * lastPose).orthonormalized
    }

    /// Records the frame just solved.
    mutating func advance(to pose: SE3, lost: Bool) {
        lastWasLost = lost
        previousPose = lastPose
        lastPose = pose
    }

    /// Where `features` (the previous frame's) should appear if the camera moves by `velocity`:
    /// stereo points are reprojected; points without depth are moved by the rotation alone (as if
    /// at infinity).
    func predictions(of features: [Feature], camera: StereoCamera, minDisparity: Double) -> [Int64: SIMD2<Double>] {
        let inv = velocity.inverse
        var out: [Int64: SIMD2<Double>] = [:]
        out.reserveCapacity(features.count)
        for f in features {
            let q: Vec3
            if let d = f.disparity, d >= minDisparity {
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
}
