import Foundation
import Geometry

/// Which two axes a trajectory plot shows (evo's `--plot_mode` names), or `xyz`: an
/// isometric view of all three.
public enum PlotMode: String, Sendable, CaseIterable {
    case xy, xz, yx, yz, zx, zy, xyz

    /// Component indices (horizontal, vertical).
    var axes: (Int, Int) {
        switch self {
        case .xy: (0, 1)
        case .xz: (0, 2)
        case .yx: (1, 0)
        case .yz: (1, 2)
        case .zx: (2, 0)
        case .zy: (2, 1)
        case .xyz: (0, 1)   // of the isometric view's coordinates
        }
    }

    /// Isometric view (azimuth 45°, elevation 35.26°): screen right and screen up, metres.
    static func isometric(_ p: Vec3) -> Vec3 {
        let r = 1 / 2.0.squareRoot(), s = 1 / 6.0.squareRoot()
        return Vec3(r * (p.x - p.y), s * (2 * p.z - p.x - p.y), 0)
    }

    /// The plane of the two axes along which the points spread most (in x, y, z order).
    public static func widest(_ points: [Vec3]) -> PlotMode {
        guard let first = points.first else { return .xy }
        var lo = first, hi = first
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let extent = hi - lo
        let order = [0, 1, 2].sorted { extent[$0] > extent[$1] }.prefix(2).sorted()
        return order == [0, 1] ? .xy : order == [0, 2] ? .xz : .yz
    }
}

/// Self-contained SVG charts (no scripts, no external resources): trajectories coloured by
/// error and error series.
public enum SVGPlot {
    static let width = 640.0, height = 480.0, margin = 60.0

    /// Viridis-like colour of `t` in [0, 1].
    static func color(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let x = Swift.min(Swift.max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = Swift.min(Int(x), stops.count - 2), f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ u: Double, _ v: Double) -> Int { Int((u + (v - u) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Text escaped for HTML and SVG.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ v: Double) -> String { String(format: "%.2f", v) }

    /// "Nice" tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
        let span = Swift.max(hi - lo, 1e-12)
        let raw = span / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = ceil(lo / step) * step, out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    /// A frame with axes, ticks and labels; returns the SVG prefix and a mapping to pixels.
    static func frame(title: String, xLabel: String, yLabel: String, x: ClosedRange<Double>, y: ClosedRange<Double>)
        -> (String, (Double, Double) -> (Double, Double)) {
        let pw = width - 2 * margin, ph = height - 2 * margin
        let sx = pw / Swift.max(x.upperBound - x.lowerBound, 1e-12), sy = ph / Swift.max(y.upperBound - y.lowerBound, 1e-12)
        let map = { (u: Double, v: Double) in (margin + (u - x.lowerBound) * sx, height - margin - (v - y.lowerBound) * sy) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        s += "<rect x=\"\(f(margin))\" y=\"\(f(margin))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#444\"/>\n"
        for t in ticks(x.lowerBound, x.upperBound) {
            let (px, _) = map(t, y.lowerBound)
            s += "<line x1=\"\(f(px))\" y1=\"\(f(margin))\" x2=\"\(f(px))\" y2=\"\(f(height - margin))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(f(px))\" y=\"\(f(height - margin + 16))\" text-anchor=\"middle\">\(String(format: "%g", t))</text>\n"
        }
        for t in ticks(y.lowerBound, y.upperBound) {
            let (_, py) = map(x.lowerBound, t)
            s += "<line x1=\"\(f(margin))\" y1=\"\(f(py))\" x2=\"\(f(width - margin))\" y2=\"\(f(py))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(f(margin - 6))\" y=\"\(f(py + 4))\" text-anchor=\"end\">\(String(format: "%g", t))</text>\n"
        }
        s += "<text x=\"\(f(width / 2))\" y=\"\(f(height - 18))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(f(height / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(height / 2)))\">\(escape(yLabel))</text>\n"
        return (s, map)
    }

    /// Reference (dashed grey) and estimate projected on `mode`'s plane with equal axis scales;
    /// with `errors` (one per estimate pose) the estimate is coloured by error, with a colour bar.
    public static func trajectory(reference: [Vec3], estimate: [Vec3], errors: [Double]?, mode: PlotMode,
                                  title: String, unit: String = "m") -> String {
        let (a, b) = mode.axes
        if mode == .xyz {
            let r = reference.map(PlotMode.isometric), e = estimate.map(PlotMode.isometric)
            return trajectory2D(reference: r, estimate: e, errors: errors, axes: (a, b), labels: ("isometric view, right (m)", "isometric view, up (m)"),
                                title: title, unit: unit)
        }
        let names = ["x", "y", "z"]
        return trajectory2D(reference: reference, estimate: estimate, errors: errors, axes: (a, b),
                            labels: ("\(names[a]) (m)", "\(names[b]) (m)"), title: title, unit: unit)
    }

    static func trajectory2D(reference: [Vec3], estimate: [Vec3], errors: [Double]?, axes: (Int, Int),
                             labels: (String, String), title: String, unit: String) -> String {
        let (a, b) = axes
        let all = reference + estimate
        guard !all.isEmpty else { return "" }
        var lo = (all[0][a], all[0][b]), hi = lo
        for p in all { lo = (Swift.min(lo.0, p[a]), Swift.min(lo.1, p[b])); hi = (Swift.max(hi.0, p[a]), Swift.max(hi.1, p[b])) }
        // Equal scales: widen the narrower range to the plot's aspect ratio.
        let aspect = (width - 2 * margin) / (height - 2 * margin)
        var w = Swift.max(hi.0 - lo.0, 1e-9) * 1.05, h = Swift.max(hi.1 - lo.1, 1e-9) * 1.05
        if w / h > aspect { h = w / aspect } else { w = h * aspect }
        let cx = (lo.0 + hi.0) / 2, cy = (lo.1 + hi.1) / 2
        let (head, map) = frame(title: title, xLabel: labels.0, yLabel: labels.1,
                                x: (cx - w / 2)...(cx + w / 2), y: (cy - h / 2)...(cy + h / 2))
        var s = head
        func points(_ ps: ArraySlice<Vec3>) -> String { ps.map { let (u, v) = map($0[a], $0[b]); return "\(f(u)),\(f(v))" }.joined(separator: " ") }
        s += "<polyline fill=\"none\" stroke=\"#888\" stroke-dasharray=\"5,3\" stroke-width=\"1.2\" points=\"\(points(reference[...]))\"/>\n"
        if let errors, errors.count == estimate.count, let eMin = errors.min(), let eMax = errors.max() {
            // Consecutive poses in chunks (at most ~600 strokes), each coloured by its mean error.
            let chunk = Swift.max(1, estimate.count / 600)
            var i = 0
            while i < estimate.count - 1 {
                let j = Swift.min(i + chunk, estimate.count - 1)
                let e = errors[i...j].reduce(0, +) / Double(j - i + 1)
                s += "<polyline fill=\"none\" stroke=\"\(color((e - eMin) / Swift.max(eMax - eMin, 1e-300)))\" stroke-width=\"2\" points=\"\(points(estimate[i...j]))\"/>\n"
                i = j
            }
            for k in 0...10 {   // colour bar
                let y0 = margin + Double(10 - k) * (height - 2 * margin) / 11
                s += "<rect x=\"\(f(width - margin + 10))\" y=\"\(f(y0))\" width=\"12\" height=\"\(f((height - 2 * margin) / 11 + 0.5))\" fill=\"\(color(Double(k) / 10))\"/>\n"
            }
            s += "<text x=\"\(f(width - margin + 10))\" y=\"\(f(margin - 6))\">\(String(format: "%.3g", eMax)) \(escape(unit))</text>\n"
            s += "<text x=\"\(f(width - margin + 10))\" y=\"\(f(height - margin + 16))\">\(String(format: "%.3g", eMin))</text>\n"
        } else {
            s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(points(estimate[...]))\"/>\n"
        }
        s += "<text x=\"\(f(margin + 8))\" y=\"\(f(margin + 16))\" fill=\"#666\">- - reference</text>\n"
        return s + "</svg>\n"
    }

    /// An error series (e.g. error over time) with its rmse, mean and median as horizontal lines.
    public static func series(x: [Double], y: [Double], statistics: ErrorStatistics, title: String,
                              xLabel: String, yLabel: String) -> String {
        guard let x0 = x.min(), let x1 = x.max(), x.count == y.count else { return "" }
        let yMax = Swift.max(statistics.max, 1e-12) * 1.05
        let (head, map) = frame(title: title, xLabel: xLabel, yLabel: yLabel, x: x0...Swift.max(x1, x0 + 1e-9), y: 0...yMax)
        var s = head
        let pts = zip(x, y).map { let (u, v) = map($0, $1); return "\(f(u)),\(f(v))" }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\" points=\"\(pts)\"/>\n"
        let lines = [("rmse", statistics.rmse, "#d62728"), ("mean", statistics.mean, "#2ca02c"), ("median", statistics.median, "#9467bd")]
        for (k, (name, value, c)) in lines.enumerated() {
            let (_, py) = map(x0, value)
            s += "<line x1=\"\(f(margin))\" y1=\"\(f(py))\" x2=\"\(f(width - margin))\" y2=\"\(f(py))\" stroke=\"\(c)\" stroke-dasharray=\"6,3\"/>"
            // Labels side by side, so that close values stay readable.
            s += "<text x=\"\(f(width - margin - 4 - Double(k) * 105))\" y=\"\(f(py - 4))\" text-anchor=\"end\" fill=\"\(c)\">\(name) \(String(format: "%.4g", value))</text>\n"
        }
        return s + "</svg>\n"
    }
}
