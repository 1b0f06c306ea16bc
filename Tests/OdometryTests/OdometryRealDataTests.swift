import Datasets
import Evaluation
import Foundation
import Geometry
import Odometry
import TestSupport
import Testing
import Trajectories

/// Runs the VO through the public API on a dataset and returns the refined estimate (every frame
/// moved with its keyframe's final pose) in the ground truth's sensor frame (what `parallax run`
/// writes as trajectory_kitti.txt).
func runOdometry(_ ds: any StereoDataset, config: OdometryConfig = OdometryConfig()) throws -> (Trajectory, [FrameResult]) {
    let vo = try VisualOdometry(camera: ds.camera, config: config)
    var results: [FrameResult] = []
    var refinement = KeyframeRefinement()
    let frames = FramePrefetcher(dataset: ds)
    while let f = try frames.next() {
        results.append(try vo.process(left: f.left, right: f.right, timestamp: f.timestamp))
        refinement.add(results[results.count - 1])
    }
    refinement.update(vo.settle())
    let x = ds.cameraToGroundTruthSensor
    let poses = refinement.refined()
    return (Trajectory(poses: poses.map { x * $0 * x.inverse }, timestamps: results.map(\.timestamp)), results)
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
        // Measured 0.058 m (libviso2: 0.120 m); the margin is for another CPU's rounding.
        #expect(ape.statistics.rmse < 0.065)
        #expect(results.allSatisfy { $0.covariance.isFinite })
    }

    /// The reported pose covariance against the real error: the position error's NEES (3 dof,
    /// covariance rotated to the world frame) should be ~3 per frame if the uncertainty is
    /// metric. Both start at the identity, so no alignment is involved.
    @Test func kitti06PositionUncertaintyMatchesItsError() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "06")
        let (_, results) = try runOdometry(ds)
        let gt = try #require(ds.groundTruth)
        var nees: [Double] = []
        for (r, truth) in zip(results, gt.poses).dropFirst() {
            let c = r.covariance
            let body = Mat3(rows: Vec3(c[0, 0], c[0, 1], c[0, 2]), Vec3(c[1, 0], c[1, 1], c[1, 2]), Vec3(c[2, 0], c[2, 1], c[2, 2]))
            let rotation = r.pose.rotation.matrix
            let world = try #require((rotation * body * rotation.transposed).inverse)
            let e = r.pose.translation - truth.translation
            nees.append(e.dot(world * e))
        }
        let median = nees.sorted()[nees.count / 2]
        print("KITTI 06 position NEES (3 dof): median \(median), max \(nees.max() ?? 0)")
        #expect(nees.count == 50 && nees.allSatisfy(\.isFinite))
        // Measured: median 171 (σ about 8× too small). On the rendered 2-lap loop, whose truth is
        // exact, the same NEES has median 3.1: the covariance is metric for what it models. Against
        // KITTI's ground truth both this engine and libviso2 show 14 mm of per-frame error with the
        // same spread, which the per-frame covariance (≈ 3 mm) does not contain: ground-truth noise
        // and systematic real-rig errors compound here. Known, so that this fails once it is met.
        withKnownIssue("pose covariance overconfident on real data (position NEES median ≈ 170, 3 expected)") {
            #expect(median < 7.81, "position NEES median \(median) (a metric covariance gives 2.4; 95 % of χ²(3) is 7.81)")
        }
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

/// The real highway excerpt (KITTI 01 frames 0–25, in ../shared): the distance travelled within
/// 2 % of the ground truth's. It was +6.9 % before the online disparity-offset estimate, which
/// finds about +1.2 px here.
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct HighwayRealDataTests {
    @Test func kitti01KeepsItsScale() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "01")
        let (est, results) = try runOdometry(ds)
        let gt = try #require(ds.groundTruth)
        let n = min(gt.count, est.count)
        let reference = gt.subset(Array(0..<n))
        let scale = est.subset(Array(0..<n)).pathLength / reference.pathLength - 1
        let ate = try APE.evaluate(reference: reference, estimate: est.subset(Array(0..<n)), relation: .translationPart,
                                   alignment: .se3).statistics.rmse
        let offset = try #require(results.last).stats.disparityOffset
        print(String(format: "KITTI 01 frames 0–%d: scale error %+.2f %%, ATE %.3f m, disparity offset %.2f px", n - 1, 100 * scale, ate, offset))
        #expect(abs(scale) <= 0.02, "scale error \(100 * scale) %")
        // Measured 0.023 m.
        #expect(ate <= 0.05, "ATE \(ate) m")
    }

    /// A run that starts in the middle of the highway (a cold start: the offset is unknown at
    /// first and found over the first keyframes) keeps its distance within 2 % too. The frames made
    /// before the estimate settles must be solved with one offset on both sides of each match.
    @Test(arguments: [3, 6, 9, 12])
    func kitti01ColdStartKeepsItsScale(first: Int) throws {
        let ds = FramesFrom(try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "01"), first: first)
        let (est, _) = try runOdometry(ds)
        let gt = try #require(ds.groundTruth)
        let scale = est.pathLength / gt.pathLength - 1
        let ate = try APE.evaluate(reference: gt, estimate: est, relation: .translationPart, alignment: .se3).statistics.rmse
        print(String(format: "KITTI 01 frames %d–%d: scale error %+.2f %%, ATE %.3f m", first, first + ds.frameCount - 1, 100 * scale, ate))
        #expect(abs(scale) <= 0.02, "scale error \(100 * scale) %")
        #expect(ate <= 0.1, "ATE \(ate) m")
    }
}

/// A dataset's frames from `first` on, as a sequence of their own (ground truth cut alike).
struct FramesFrom: StereoDataset {
    let base: any StereoDataset
    let first: Int
    init(_ base: any StereoDataset, first: Int) { self.base = base; self.first = first }
    var name: String { "\(base.name) from frame \(first)" }
    var camera: StereoCamera { base.camera }
    var frameCount: Int { max(base.frameCount - first, 0) }
    var timestamps: [Double] { Array(base.timestamps.dropFirst(first)) }
    var groundTruth: Trajectory? {
        base.groundTruth.map { gt in gt.subset(Array(min(first, gt.count)..<gt.count)) }
    }
    var groundTruthFormat: TrajectoryFormat { base.groundTruthFormat }
    var cameraToGroundTruthSensor: SE3 { base.cameraToGroundTruthSensor }
    func frame(_ index: Int) throws(DatasetError) -> StereoFrame { try base.frame(index + first) }
}
