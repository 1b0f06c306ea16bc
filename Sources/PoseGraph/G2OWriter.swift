import Foundation
import Geometry

/// Poses that have a g2o text form.
public protocol G2OEncodable: ManifoldPose {
    /// The vertex tag (`VERTEX_SE3:QUAT`, `VERTEX_SE2`).
    static var g2oVertexTag: String { get }
    /// The edge tag (`EDGE_SE3:QUAT`, `EDGE_SE2`).
    static var g2oEdgeTag: String { get }
    /// The pose's numbers as g2o writes them.
    var g2oValues: [Double] { get }
}

extension SE3: G2OEncodable {
    public static var g2oVertexTag: String { "VERTEX_SE3:QUAT" }
    public static var g2oEdgeTag: String { "EDGE_SE3:QUAT" }
    public var g2oValues: [Double] {
        let q = rotation.quaternion
        return [translation.x, translation.y, translation.z, q.x, q.y, q.z, q.w]
    }
}

extension SE2: G2OEncodable {
    public static var g2oVertexTag: String { "VERTEX_SE2" }
    public static var g2oEdgeTag: String { "EDGE_SE2" }
    public var g2oValues: [Double] { [x, y, theta] }
}

extension G2O {
    /// The graph as g2o text: vertices (by id), FIX lines, then the relative-pose edges with
    /// their upper-triangular information. Numbers are written to round-trip exactly.
    public static func serialize<P: G2OEncodable>(_ graph: FactorGraph<P>) -> String {
        var out = ""
        out.reserveCapacity(graph.poses.count * 80 + graph.factors.count * 200)
        for (k, p) in graph.poses.enumerated() {
            out += P.g2oVertexTag; out += " \(graph.ids[k])"
            for v in p.g2oValues { out += " \(v)" }
            out += "\n"
        }
        for k in graph.fixed.sorted() { out += "FIX \(graph.ids[k])\n" }
        let n = P.dof
        for f in graph.betweenFactors {
            out += P.g2oEdgeTag; out += " \(graph.ids[f.i]) \(graph.ids[f.j])"
            for v in f.measured.g2oValues { out += " \(v)" }
            for r in 0..<n { for c in r..<n { out += " \(f.information[r * n + c])" } }
            out += "\n"
        }
        return out
    }

    /// Writes the graph to a g2o file.
    public static func write<P: G2OEncodable>(_ graph: FactorGraph<P>, to url: URL) throws(PoseGraphError) {
        do { try serialize(graph).write(to: url, atomically: true, encoding: .utf8) } catch {
            throw .io(path: url.path, reason: fileErrorReason(error))
        }
    }
}
