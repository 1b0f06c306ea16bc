import Foundation

extension SVGPlot {
    /// One line of a multi-line plot.
    public struct Line: Sendable {
        public var name: String, values: [Double], color: String
        public init(_ name: String, _ values: [Double], color: String) { self.name = name; self.values = values; self.color = color }
    }

    /// Several series over one x axis with a legend; `marks` (x values) are drawn as thin red
    /// vertical lines (e.g. frames where tracking was lost), named `marksName` in the legend.
    public static func lines(x: [Double], _ lines: [Line], title: String, xLabel: String, yLabel: String,
                             marks: [Double] = [], marksName: String = "") -> String {
        let finite = lines.flatMap(\.values).filter(\.isFinite)
        guard let x0 = x.min(), let x1 = x.max(), let yMax = finite.max(), let yMin = finite.min() else { return "" }
        let lo = Swift.min(0, yMin), hi = Swift.max(yMax * 1.05, lo + 1e-9)
        let (head, map) = frame(title: title, xLabel: xLabel, yLabel: yLabel, x: x0...Swift.max(x1, x0 + 1e-9), y: lo...hi)
        var s = head
        for m in marks {
            let (px, _) = map(m, lo)
            s += "<line x1=\"\(f(px))\" y1=\"\(f(margin))\" x2=\"\(f(px))\" y2=\"\(f(height - margin))\" stroke=\"#d62728\" stroke-opacity=\"0.5\"/>\n"
        }
        for line in lines where line.values.count == x.count {
            // At most ~1500 vertices per line: every k-th sample (the plot is 520 px wide).
            let k = Swift.max(1, x.count / 1500)
            let pts = stride(from: 0, to: x.count, by: k).filter { line.values[$0].isFinite }
                .map { let (u, v) = map(x[$0], line.values[$0]); return "\(f(u)),\(f(v))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.3\" points=\"\(pts)\"/>\n"
        }
        var legend = lines.map { ($0.name, $0.color) }
        if !marks.isEmpty { legend.append((marksName, "#d62728")) }
        for (i, (name, color)) in legend.enumerated() {
            let y = margin + 16 + Double(i) * 16
            s += "<line x1=\"\(f(margin + 8))\" y1=\"\(f(y - 4))\" x2=\"\(f(margin + 28))\" y2=\"\(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(f(margin + 32))\" y=\"\(f(y))\">\(escape(name))</text>\n"
        }
        return s + "</svg>\n"
    }
}
