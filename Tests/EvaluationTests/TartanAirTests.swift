import Evaluation
import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

@Suite struct TartanAirTests {
    @Test func perfectEstimateInAnotherFrameScoresZero() throws {
        var g = SplitMix(state: 21)
        let gt = randomTrajectory(&g, count: 60)
        let est = gt.transformedWorld(by: SE3(rotation: randomRotation(&g), translation: randomVec3(&g, scale: 30)))
        let r = try TartanAirMetrics.evaluate(groundTruth: gt, estimate: est, scale: false)
        for v in [r.ate, r.rpeRotation, r.rpeTranslation, r.kittiRotation, r.kittiTranslation] { #expect(abs(v) < 1e-6) }
        #expect(r.scale == 1 && r.ateScale == 1)
    }

    @Test func monocularScaleIsRecovered() throws {
        var g = SplitMix(state: 22)
        let gt = randomTrajectory(&g, count: 60)
        var est = gt.transformedWorld(by: SE3(rotation: randomRotation(&g), translation: randomVec3(&g, scale: 3)))
        est.poses = est.poses.map { SE3(rotation: $0.rotation, translation: $0.translation * 0.5) }
        let mono = try TartanAirMetrics.evaluate(groundTruth: gt, estimate: est, scale: true)
        #expect(abs(mono.scale - 2) < 1e-9 && abs(mono.ateScale - 2) < 1e-9)
        for v in [mono.ate, mono.rpeTranslation, mono.kittiTranslation] { #expect(abs(v) < 1e-6) }
        let stereo = try TartanAirMetrics.evaluate(groundTruth: gt, estimate: est, scale: false)
        #expect(stereo.ate > 1 && stereo.kittiTranslation > 0.4)
    }

    /// A constant 10 % overestimate of every step on a straight line: KITTI-style translation
    /// error is 0.1 × (segment path)/(segment length) for each length, and rotation errors vanish.
    @Test func kittiStyleErrorsOnAStraightLine() throws {
        let gt = Trajectory(poses: (0..<100).map { SE3(translation: Vec3(0, 0, Double($0))) })
        let est = Trajectory(poses: (0..<100).map { SE3(translation: Vec3(0, 0, 1.1 * Double($0))) })
        let r = try TartanAirMetrics.evaluate(groundTruth: gt, estimate: est, scale: false)
        // A segment of length L ends at the first frame strictly beyond L metres: L + 1 steps.
        let expected = TartanAirMetrics.lengths.map { 0.1 * ($0 + 1) / $0 }.reduce(0, +) / 8
        #expect(abs(r.kittiTranslation - expected) < 1e-12)
        #expect(r.kittiRotation == 0 && r.rpeRotation == 0)
        // RPE over all ordered pairs: mean of 0.1 |i − j|.
        let n = 100.0
        #expect(abs(r.rpeTranslation - 0.1 * (n * n - 1) / (3 * n)) < 1e-9)
    }

    @Test func filesInNEDGiveTheSameScoresAsCameraFrames() throws {
        var g = SplitMix(state: 23)
        let gt = randomTrajectory(&g, count: 40)
        var est = gt
        for i in est.poses.indices { est.poses[i].translation += randomVec3(&g, scale: 0.05) }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let gtPath = dir.url.appendingPathComponent("gt.txt"), estPath = dir.url.appendingPathComponent("est.txt")
        try TrajectoryFormat.tartanair.write(gt, to: gtPath)
        try TrajectoryFormat.tartanair.write(est, to: estPath)
        let pair = try TrajectoryPair.load(.init(format: "tartanair", referencePath: gtPath.path, estimatePath: estPath.path))
        let fromFiles = try TartanAirMetrics.evaluate(groundTruth: pair.reference, estimate: pair.estimate, scale: false)
        let direct = try TartanAirMetrics.evaluate(groundTruth: gt, estimate: est, scale: false)
        #expect(relativeDifference(fromFiles.ate, direct.ate) < 1e-9)
        #expect(relativeDifference(fromFiles.rpeTranslation, direct.rpeTranslation) < 1e-9)
        #expect(relativeDifference(fromFiles.kittiTranslation, direct.kittiTranslation) < 1e-9)
    }

    @Test func lengthMismatchIsAnError() {
        var g = SplitMix(state: 24)
        let gt = randomTrajectory(&g, count: 10)
        #expect(throws: EvaluationError.self) {
            try TartanAirMetrics.evaluate(groundTruth: gt, estimate: gt.subset([0, 1, 2]), scale: false)
        }
    }
}
