import Evaluation
import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

/// Every verb of `parallax eval`, run through the built executable on small synthetic files.
@Suite(.enabled(if: parallaxBinary != nil, "the parallax executable is not built beside the tests"))
struct CLITests {
    @Test func everyVerbRunsAndWritesItsOutputs() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        var g = SplitMix(state: 41)
        // A 0.9 km drive so that KITTI segments of up to 800 m exist.
        let gt = randomTrajectory(&g, count: 900, withTimes: true)
        var est = gt
        for i in est.poses.indices { est.poses[i].translation += randomVec3(&g, scale: 0.3) }
        let files = try [("gt", gt), ("est", est)].flatMap { name, t in
            try [TrajectoryFormat.kitti, .tum].map { f -> String in
                let url = dir.url.appendingPathComponent("\(name).\(f.rawValue)")
                try f.write(t, to: url)
                return url.path
            }
        }
        let (gtKitti, gtTUM, estKitti, estTUM) = (files[0], files[1], files[2], files[3])
        // TartanAir's RPE uses all pairs: 150 poses keep the run short.
        let first = Array(0..<150)
        let gtTartan = dir.url.appendingPathComponent("short_gt.txt"), estTartan = dir.url.appendingPathComponent("short_est.txt")
        try TrajectoryFormat.tartanair.write(gt.subset(first), to: gtTartan)
        try TrajectoryFormat.tartanair.write(est.subset(first), to: estTartan)

        let saved = dir.url.appendingPathComponent("ape.json").path, html = dir.url.appendingPathComponent("r.html").path
        // Negative numbers are option values (evo: --t_offset -0.01, --n_to_align -1).
        let ape = try run(bin, ["eval", "ape", "tum", gtTUM, estTUM, "-a", "--t_offset", "-0.001", "--n_to_align", "-1",
                                "--save_results", saved, "--report", html,
                                "--save_plot", dir.url.appendingPathComponent("p").path])
        #expect(ape.status == 0, "\(ape.err)")
        #expect(ape.out.hasPrefix("APE w.r.t. translation part (m)\n(with SE(3) Umeyama alignment)\n\n       max\t"))
        for f in [saved, html, dir.url.appendingPathComponent("p_trajectory.svg").path, dir.url.appendingPathComponent("p_error.svg").path] {
            #expect(FileManager.default.fileExists(atPath: f), "\(f)")
        }
        let rpe = try run(bin, ["eval", "rpe", "kitti", gtKitti, estKitti, "--delta", "10", "--delta_unit", "m", "--json"])
        #expect(rpe.status == 0, "\(rpe.err)")
        let rpeReport = try EvaluationReport.decode(Data(rpe.out.utf8))
        #expect(rpeReport.metric == "RPE")
        let errorsFile = dir.url.appendingPathComponent("errors.csv").path
        let csv = try run(bin, ["eval", "rpe", "kitti", gtKitti, estKitti, "--delta", "10", "--delta_unit", "m", "--csv",
                                "--save_errors", errorsFile])
        #expect(csv.out.hasPrefix("name,metric,count,rmse") && csv.out.contains(",\(rpeReport.stats.rmse),"))
        let rows = try String(contentsOfFile: errorsFile, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "i,j,t,error" && rows.count == rpeReport.count + 1)

        let kitti = try run(bin, ["eval", "kitti", gtKitti, estKitti, "--json"])
        #expect(kitti.status == 0, "\(kitti.err)")
        #expect(kitti.out.contains("\"t_err_percent\""))
        let tartan = try run(bin, ["eval", "tartanair", gtTartan.path, estTartan.path, "--json"])
        #expect(tartan.status == 0, "\(tartan.err)")
        #expect(tartan.out.contains("\"ate\""))
        let traj = try run(bin, ["eval", "traj", "tum", gtTUM])
        #expect(traj.out.contains("infos:\t900 poses"))
        let res = try run(bin, ["eval", "res", saved, "--csv"])
        #expect(res.status == 0 && res.out.hasPrefix("name,metric,count,rmse"))
        #expect(try run(bin, ["eval", "res", gtTUM]).status != 0)
    }
}
