import Evaluation
import Foundation
import TestSupport
import Testing
import Trajectories

/// Checks on the real trajectories in `../shared/datasets/trajectories`.
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct RealDataTests {
    static let gt = SharedData.url("trajectories/KITTI_00_gt.txt").path
    static let orb = SharedData.url("trajectories/KITTI_00_ORB.txt").path

    // find_spec locates the packages without importing them (importing evo takes seconds).
    static let pythonWithNumPy = pythonSucceeds("import importlib.util as u, sys; sys.exit(u.find_spec('numpy') is None)")
    static let pythonWithEvo = pythonSucceeds(
        "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('numpy', 'evo', 'scipy')))")

    /// ORB-SLAM2's published KITTI 00 figures (T-RO 2017, Table I): t_rel 0.70 %, r_rel
    /// 0.25 deg/100 m, ATE 1.3 m. The distributed estimate reproduces them.
    @Test func orbSlam2OnKitti00MatchesItsPublishedFigures() throws {
        let pair = try TrajectoryPair.load(.init(format: "kitti", referencePath: Self.gt, estimatePath: Self.orb))
        let kitti = try KittiOdometry.evaluate(groundTruth: pair.reference, estimate: pair.estimate)
        #expect(abs(kitti.translationErrorPercent - 0.70) < 0.005)
        #expect(abs(kitti.rotationErrorDegPer100m - 0.25) < 0.005)
        #expect(kitti.perLength.map(\.length) == KittiOdometry.lengths)
        let ape = try APE.evaluate(reference: pair.reference, estimate: pair.estimate, alignment: .se3)
        #expect(abs(ape.statistics.rmse - 1.3) < 0.05)
    }

    /// The devkit's definition, transcribed independently in Python (Tests/Fixtures/kitti_devkit.py).
    @Test(.enabled(if: RealDataTests.pythonWithNumPy, "python3 is not available"))
    func kittiMetricsMatchTheDevkitTranscription() throws {
        let script = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/kitti_devkit.py").path
        let r = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, Self.gt, Self.orb])
        #expect(r.status == 0, "\(r.err)")
        struct Reference: Decodable {
            var t_err_percent: Double
            var r_err_deg_per_100m: Double
            var segments: Int
            var per_length: [KittiOdometry.LengthSummary]
        }
        let expected = try JSONDecoder().decode(Reference.self, from: Data(r.out.utf8))
        let pair = try TrajectoryPair.load(.init(format: "kitti", referencePath: Self.gt, estimatePath: Self.orb))
        let got = try KittiOdometry.evaluate(groundTruth: pair.reference, estimate: pair.estimate)
        #expect(got.segments.count == expected.segments)
        #expect(relativeDifference(got.translationErrorPercent, expected.t_err_percent) < 1e-9)
        #expect(relativeDifference(got.rotationErrorDegPer100m, expected.r_err_deg_per_100m) < 1e-9)
        #expect(got.perLength.count == expected.per_length.count)
        for (a, b) in zip(got.perLength, expected.per_length) {
            #expect(a.length == b.length && a.segments == b.segments)
            #expect(relativeDifference(a.translationErrorPercent, b.translationErrorPercent) < 1e-9)
            #expect(relativeDifference(a.rotationErrorDegPer100m, b.rotationErrorDegPer100m) < 1e-9)
        }
    }

    /// evo itself on the real trajectories (Tests/Fixtures/evo_parity.py): APE with each alignment
    /// and pose relation, RPE in frames and metres, every statistic to 1e-6 relative. This runs
    /// the smoke subset (11 cases, a few seconds); the README test command then runs all 84 (Tools/parity).
    @Test(.enabled(if: parallaxEvalBinary != nil && RealDataTests.pythonWithEvo,
                   "needs evo (pip install evo) and the parallax-eval executable built beside the tests"))
    func statisticsMatchEvo() throws {
        guard let bin = parallaxEvalBinary else { return }
        let script = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/evo_parity.py").path
        let r = try run(URL(fileURLWithPath: "/usr/bin/env"),
                        ["python3", script, "--parallax", bin.path, "--data", SharedData.root.path, "--smoke"])
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("cases agree with evo"), "\(r.out)")
    }
}
