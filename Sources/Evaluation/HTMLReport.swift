import Foundation

/// Plots and a single self-contained HTML page (inline SVG and CSS, no scripts, no external
/// resources) for an APE or RPE result.
public struct ResultFigures: Sendable {
    /// Trajectories projected on a plane, the estimate coloured by error (APE only; RPE errors
    /// belong to pairs, so the estimate is drawn plain).
    public var trajectorySVG: String
    /// Error along the trajectory with rmse, mean and median lines.
    public var errorSVG: String

    public init(_ result: PoseErrorResult, mode: PlotMode? = nil) {
        let ref = result.reference.positions, est = result.alignedEstimate.positions
        let plane = mode ?? PlotMode.widest(ref)
        let unit = result.poseRelation.unit
        trajectorySVG = SVGPlot.trajectory(reference: ref, estimate: est, errors: result.metric == "APE" ? result.errors : nil,
                                           mode: plane, title: "\(result.metric): reference and estimate (\(plane.rawValue))", unit: unit)
        let (x, label) = result.errorPositions
        errorSVG = SVGPlot.series(x: x, y: result.errors, statistics: result.statistics,
                                  title: result.title.replacingOccurrences(of: "\n", with: " "),
                                  xLabel: label, yLabel: "\(result.metric) (\(unit))")
    }

    /// The HTML report: title, inputs, statistics table and both figures.
    public func html(_ report: EvaluationReport) -> String {
        let e = SVGPlot.escape
        var rows = ""
        for (name, value) in report.stats.named { rows += "<tr><th>\(name)</th><td>\(String(format: "%.6f", value))</td></tr>\n" }
        let title = report.title.split(separator: "\n").map { e(String($0)) }.joined(separator: "<br>")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(e(report.metric)) — Parallax evaluation</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #f4f4f4; text-align: left; }
        figure { display: inline-block; margin: 0 1em 1em 0; }
        code { background: #f4f4f4; padding: 1px 4px; }
        </style></head><body>
        <h1 id="title">\(title)</h1>
        <p>reference: <code>\(e(report.reference))</code><br>estimate: <code>\(e(report.estimate))</code><br>
        \(report.count) \(report.metric == "RPE" ? "pairs" : "poses")\(report.scale.map { String(format: ", alignment scale %.6f", $0) } ?? "")</p>
        <table id="stats">
        \(rows)</table>
        <figure id="trajectory">\(trajectorySVG)</figure>
        <figure id="errors">\(errorSVG)</figure>
        </body></html>

        """
    }
}
