import Evaluation
import Foundation
import Geometry
import Trajectories

extension RunReport {
    /// Plots over frames from frames.csv: counts (features, stereo, tracked, inliers) and time
    /// per stage, lost frames marked in both; and the disparity offset when it moved.
    static func framePlots(_ run: RunFolder) -> [String] {
        let x = run.frames.map { Double($0.index) }
        let lost = run.frames.filter { $0.state == "lost" }.map { Double($0.index) }
        func column(_ name: String) -> [Double] { run.frames.map { $0.values[name] ?? .nan } }
        var plots = [
            SVGPlot.lines(x: x, [SVGPlot.Line("features", column("features"), color: "#1f77b4"),
                                 SVGPlot.Line("stereo matches", column("stereo"), color: "#2ca02c"),
                                 SVGPlot.Line("tracked", column("tracked"), color: "#9467bd"),
                                 SVGPlot.Line("inliers", column("inliers"), color: "#ff7f0e")],
                          title: "Features and matches per frame", xLabel: "frame", yLabel: "count",
                          marks: lost, marksName: "lost frame"),
            SVGPlot.lines(x: x, [SVGPlot.Line("front end", column("frontend_ms"), color: "#1f77b4"),
                                 SVGPlot.Line("pose", column("pose_ms"), color: "#ff7f0e"),
                                 SVGPlot.Line("whole frame", column("pipeline_ms").contains { $0.isFinite } ? column("pipeline_ms") : column("total_ms"),
                                              color: "#444444")],
                          title: "Time per frame and stage", xLabel: "frame", yLabel: "ms", marks: lost, marksName: "lost frame"),
        ]
        let offset = column("disparity_offset")
        if offset.contains(where: { $0.isFinite && $0 != 0 }) {
            plots.append(SVGPlot.lines(x: x, [SVGPlot.Line("disparity offset applied", offset, color: "#d62728")],
                                       title: "Estimated disparity offset", xLabel: "frame", yLabel: "px"))
        }
        return plots
    }

    /// With frame-aligned ground truth: the translation error of the corrected trajectory (the
    /// odometry's without loop closure), SE(3)-aligned as `parallax eval ape -a` does, over the
    /// distance travelled along the ground truth; and the trajectories seen from above.
    static func errorOverDistance(_ run: RunFolder) -> [String] {
        guard let gt = run.groundTruth else { return [] }
        let estimate = run.corrected ?? run.odometry
        let n = min(gt.count, estimate.count)
        guard n >= 3, let result = try? APE.evaluate(reference: gt.subset(Array(0..<n)), estimate: estimate.subset(Array(0..<n)),
                                                     relation: .translationPart, alignment: .se3) else { return [] }
        var distance = [0.0]
        for i in 1..<n { distance.append(distance[i - 1] + (gt.poses[i].translation - gt.poses[i - 1].translation).norm) }
        let figures = ResultFigures(result)
        return [SVGPlot.series(x: distance, y: result.errors, statistics: result.statistics,
                               title: "Position error (\(run.corrected == nil ? "odometry" : "corrected"), SE(3)-aligned)",
                               xLabel: "distance along ground truth (m)", yLabel: "error (m)"),
                figures.trajectorySVG]
    }
}
