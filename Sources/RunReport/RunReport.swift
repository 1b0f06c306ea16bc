import Evaluation
import Foundation
import Geometry
import Trajectories

/// The report of a run: one self-contained HTML page (inline data, script, SVG and CSS; no
/// network) with a 3D view of the map and the trajectories, plots over frames, the error over
/// distance when there is ground truth, and the run's summary and configuration.
///
/// Large runs are thinned, and the page says how: at most `maxPoints` map points (every k-th,
/// k = ⌈n / maxPoints⌉) and `maxPoses` poses per trajectory (every k-th, the last one kept).
public enum RunReport {
    public static let maxPoints = 100_000, maxPoses = 5_000

    /// Writes `report.html` into the run folder and returns its URL.
    @discardableResult
    public static func write(folder: URL) throws(ReportError) -> URL {
        let run = try RunFolder(folder)
        let url = folder.appendingPathComponent("report.html")
        do { try Data(html(run).utf8).write(to: url, options: .atomic) } catch {
            throw .unwritable(url.path, error.localizedDescription)
        }
        return url
    }

    /// The page.
    public static func html(_ run: RunFolder) -> String {
        let e = SVGPlot.escape
        let (data, thinning) = sceneData(run)
        let plots = framePlots(run) + errorOverDistance(run)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Parallax run — \(e(run.url.lastPathComponent))</title>
        <style>
        body { font-family: sans-serif; margin: 1.5em; color: #222; }
        #view3d { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; }
        #scene { border: 1px solid #ccc; cursor: grab; }
        #controls { width: 100%; }
        #legend { font-size: 13px; width: 230px; }
        #legend ul { list-style: none; padding: 0; }
        .hint { color: #777; font-size: 12px; margin-left: 1em; }
        figure { display: inline-block; margin: 0 1em 1em 0; }
        pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 12px; }
        details { margin: 1em 0; }
        </style></head><body>
        <h1>Parallax run: \(e(run.url.lastPathComponent))</h1>
        <p>\(run.frames.count) frames, \(run.keyframes?.count ?? 0) keyframes, \(run.map.count) map points,
        \(run.loops.filter { $0.status == "accepted" }.count) accepted loops (\(run.loops.count) verified). \(e(thinning))</p>
        <h2>Map and trajectories</h2>
        \(Viewer3D.html)
        <h2>Over frames</h2>
        <div id="plots">\(plots.map { "<figure>\($0)</figure>" }.joined(separator: "\n"))</div>
        <h2>Summary</h2>
        <details open><summary>summary.json</summary><pre>\(e(run.summary ?? "(none)"))</pre></details>
        <details><summary>config.yaml</summary><pre>\(e(run.configuration ?? "(none)"))</pre></details>
        <script type="application/json" id="data">\(data)</script>
        <script>\(Viewer3D.script)</script>
        </body></html>

        """
    }

    /// Every k-th element (k = ⌈count / limit⌉), the last one always kept.
    static func thin<T>(_ xs: [T], to limit: Int) -> [T] {
        guard xs.count > limit, let last = xs.last else { return xs }
        let k = (xs.count + limit - 1) / limit
        var out = Swift.stride(from: 0, to: xs.count, by: k).map { xs[$0] }
        if (xs.count - 1) % k != 0 { out.append(last) }
        return out
    }

    /// The 3D view's data as JSON, and the sentence saying how it was thinned.
    static func sceneData(_ run: RunFolder) -> (String, String) {
        let points = thin(run.map, to: maxPoints)
        func r(_ x: Double) -> String { x.isFinite ? fixedDecimal(x, digits: 3) : "0" }
        func path(_ t: Trajectory?) -> String {
            guard let t else { return "null" }
            return "[" + thin(t.poses, to: maxPoses).map { "[\(r($0.translation.x)),\(r($0.translation.y)),\(r($0.translation.z))]" }
                .joined(separator: ",") + "]"
        }
        let positions = (run.corrected ?? run.odometry).poses.map(\.translation)
        let loops = run.loops.compactMap { l -> String? in
            guard positions.indices.contains(l.candidate), positions.indices.contains(l.query),
                  ["accepted", "rejected", "unconfirmed"].contains(l.status) else { return nil }
            let a = positions[l.candidate], b = positions[l.query]
            return "[[\(r(a.x)),\(r(a.y)),\(r(a.z))],[\(r(b.x)),\(r(b.y)),\(r(b.z))],\"\(l.status)\"]"
        }
        let json = """
        {"points":[\(points.map { "\(r($0.position.x)),\(r($0.position.y)),\(r($0.position.z))" }.joined(separator: ","))],
        "trace":[\(points.map { $0.trace.isFinite ? String(format: "%.3g", $0.trace) : "null" }.joined(separator: ","))],
        "odometry":\(path(run.odometry)),"corrected":\(path(run.corrected)),"groundTruth":\(path(run.groundTruth)),
        "keyframes":\(path(run.keyframes).replacingOccurrences(of: "null", with: "[]")),"loops":[\(loops.joined(separator: ","))]}
        """
        var note = ""
        if run.map.count > maxPoints { note += "The 3D view shows every \((run.map.count + maxPoints - 1) / maxPoints)-th of the \(run.map.count) map points. " }
        if run.odometry.count > maxPoses { note += "Trajectories are drawn with every \((run.odometry.count + maxPoses - 1) / maxPoses)-th pose." }
        return (json, note)
    }
}
