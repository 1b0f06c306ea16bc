import Geometry
import Trajectories

/// A dataset whose frames are another's passed through `transform`: what a damaged or
/// miscalibrated camera would have recorded of the same scene (a covered lens, a shifted image),
/// with the other's camera, times and ground truth.
public struct TransformedDataset: StereoDataset {
    public let base: any StereoDataset
    /// Says what was done, for the name ("right image shifted 1 px").
    public let change: String
    private let transform: @Sendable (StereoFrame) -> StereoFrame

    public init(_ base: any StereoDataset, change: String, transform: @escaping @Sendable (StereoFrame) -> StereoFrame) {
        self.base = base
        self.change = change
        self.transform = transform
    }

    public var name: String { "\(base.name) (\(change))" }
    public var camera: StereoCamera { base.camera }
    public var frameCount: Int { base.frameCount }
    public var timestamps: [Double] { base.timestamps }
    public var groundTruth: Trajectory? { base.groundTruth }
    public var groundTruthFormat: TrajectoryFormat { base.groundTruthFormat }
    public var cameraToGroundTruthSensor: SE3 { base.cameraToGroundTruthSensor }
    public func frame(_ index: Int) throws(DatasetError) -> StereoFrame { transform(try base.frame(index)) }
}
