import Datasets
import Evaluation
import Foundation
import Geometry
import Odometry
import TestSupport
import Testing
import Trajectories

/// Runs the VO through the public API on a dataset and returns the estimate in the ground truth's
/// sensor frame (what `parallax run` writes).
func runOdometry(_ ds: any StereoDataset, config: OdometryConfig = OdometryConfig()) throws -> (Trajectory, [FrameResult]) {
    let vo = try VisualOdometry(camera: ds.camera, config: config)
    var results: [FrameResult] = []
    let frames = FramePrefetcher(dataset: ds)
    while let f = try frames.next() { results.append(try vo.process(left: f.left, right: f.right, timestamp: f.timestamp)) }
    let x = ds.cameraToGroundTruthSensor
    return (Trajectory(poses: results.map { x * $0.pose * x.inverse }, timestamps: results.map(\.timestamp)), results)
}

@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct OdometryRealDataTests {
    @Test func kitti06MeetsTheAccuracyBound() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "06")
        let (est, results) = try runOdometry(ds)
        let gt = try #require(ds.groundTruth)
        let ape = try APE.evaluate(reference: gt, estimate: est, relation: .translationPart, alignment: .se3)
        print("KITTI 06 frames 0–50: ATE \(ape.statistics.rmse) m over \(gt.pathLength) m")
        #expect(results.allSatisfy { $0.state != .lost })
        // Goal 0.10 m (libviso2: 0.120 m).
        #expect(ape.statistics.rmse < 0.10)
        // The reported uncertainty grows along the path and stays finite.
        #expect(results.allSatisfy { $0.covariance.isFinite })
        #expect(results.last!.covariance[0, 0] + results.last!.covariance[2, 2] > results[5].covariance[0, 0] + results[5].covariance[2, 2])
    }

    @Test func eurocStillCameraDoesNotDrift() throws {
        let ds = try EuRoCDataset(root: SharedData.url("euroc/V1_01_easy_first95"))
        let (est, _) = try runOdometry(ds)
        let gt = try #require(ds.groundTruth)
        let (ref, e) = try Association.associate(reference: gt, estimate: est, maxDiff: 0.01, offset: 0,
                                                  referenceName: "gt", estimateName: "estimate")
        let ape = try APE.evaluate(reference: ref, estimate: e, relation: .translationPart, alignment: .se3)
        print("EuRoC V1_01 first 95 frames: ATE \(ape.statistics.rmse) m over \(ref.count) associated poses")
        #expect(ref.count > 50)
        // Goal 0.005 m.
        #expect(ape.statistics.rmse < 0.006)
    }
}
