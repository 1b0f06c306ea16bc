import Geometry

/// The chain of relative covariances between the keyframes the odometry reports (the links the
/// loop closer's odometry chain and pose graph are built from). A rescue keyframe (a past frame
/// made keyframe when tracking thins out) is not reported: its link is carried on to the next
/// reported keyframe.
struct KeyframeChain {
    /// Frame index of the last keyframe reported in a snapshot (nil until the first).
    private(set) var lastReported: Int?
    /// The link of the keyframe being made to the last reported one: its frame and the 6×6
    /// covariance of the relative pose.
    private(set) var link: (previous: Int, covariance: Mat6)?
    /// Covariance of a rescue keyframe relative to the last reported keyframe, until the next one.
    private var rescue: Mat6?

    /// A rescue keyframe hangs off the current keyframe by `relative` (its solve, with `covariance`).
    mutating func rescued(relative: SE3, covariance: Mat6) {
        let ad = relative.inverse.adjoint
        rescue = rescue.map { ad * $0 * ad.transposed + covariance } ?? covariance
    }

    /// A new keyframe, solved against the current keyframe as `relative` with `covariance`.
    mutating func keyframe(relative: SE3, covariance: Mat6) {
        let ad = relative.inverse.adjoint
        let linked = rescue.map { ad * $0 * ad.transposed + covariance } ?? covariance
        link = lastReported.map { ($0, linked) }
        rescue = nil
    }

    /// Tracking was lost: the chain breaks (the next keyframe starts a new one).
    mutating func lost() {
        rescue = nil
        link = nil
    }

    /// The keyframe at `frame` was reported with the current link.
    mutating func reported(at frame: Int) {
        lastReported = frame
        link = nil
    }
}

/// What the odometry does when a frame cannot be solved against its keyframe: first the previous
/// frame becomes the keyframe and the frame is solved against its stereo points (tracked one
/// frame, so most survive); if that fails too, the frame is lost: its pose comes from the motion
/// model, with the uncertainty of a guess, and a new keyframe starts there.
struct TrackingLossPolicy {
    let minInliers: Int

    /// Whether to try a rescue keyframe from the previous frame's stereo points.
    func shouldRescue(frameIndex: Int, previousPoints: Int) -> Bool { frameIndex > 1 && previousPoints >= minInliers }

    /// The covariance of a lost frame's motion-model pose: the keyframe's and the last solve's
    /// carried along the last velocity, plus four times the last solve's for the guess.
    func lostCovariance(velocity: SE3, keyframeCovariance: Mat6, lastSolve: Mat6) -> Mat6 {
        let ad = velocity.inverse.adjoint
        return ad * (keyframeCovariance + lastSolve) * ad.transposed + lastSolve * 4
    }
}
