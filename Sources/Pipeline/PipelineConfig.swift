import LoopClosure
import Odometry

/// The whole configuration of a pipeline: the odometry (with its front end) and loop closure.
public struct PipelineConfig: Sendable {
    /// Front end, pose solver, keyframes, window and bundle adjustment (`OdometryConfig.settings`).
    public var odometry: OdometryConfig
    /// Place recognition, verification and correction; nil turns loop closure off.
    public var loopClosure: LoopClosureConfig?

    public init(odometry: OdometryConfig = OdometryConfig(), loopClosure: LoopClosureConfig? = LoopClosureConfig()) {
        self.odometry = odometry
        self.loopClosure = loopClosure
    }
}
