import Foundation
import Geometry

/// A pose graph read from a g2o file: planar (VERTEX_SE2/EDGE_SE2) or spatial (SE3:QUAT).
public enum G2OGraph: Sendable {
    case planar(FactorGraph<SE2>)
    case spatial(FactorGraph<SE3>)
}

/// What reading does with an edge whose information matrix is not positive definite.
public enum InformationPolicy: String, Sendable, CaseIterable {
    /// An error naming the file, the first such line and how many edges are affected.
    case strict
    /// Replace it by the nearest positive-definite matrix (`InformationMatrix.nearestPositiveDefinite`).
    case nearestPositiveDefinite = "nearest-pd"
}

/// A g2o file as read: the graph, and the lines whose information matrix was repaired.
public struct G2OFile: Sendable {
    public let graph: G2OGraph
    /// 1-based lines of the edges whose information was replaced (empty under `.strict`).
    public let repairedLines: [Int]
}

/// Reading and writing g2o pose-graph files.
///
/// Supported lines: `VERTEX_SE3:QUAT id x y z qx qy qz qw`, `EDGE_SE3:QUAT i j x y z qx qy qz qw`
/// followed by the 21 upper-triangular entries of the 6×6 information (translation first),
/// `VERTEX_SE2 id x y θ`, `EDGE_SE2 i j x y θ` with 6 entries of the 3×3 information, and
/// `FIX id`. Blank lines and lines starting with `#` are skipped. Files with edges only are
/// initialised by chaining the edges along a spanning tree that prefers odometry (|i − j| = 1);
/// in files with vertices, an edge naming an undeclared vertex and a repeated vertex id are
/// errors that give the line.
public enum G2O {
    /// Reads a g2o file; an information matrix that is not positive definite is an error.
    public static func read(_ url: URL) throws(PoseGraphError) -> G2OGraph {
        try load(url, information: .strict).graph
    }

    /// Reads a g2o file, treating information matrices that are not positive definite as
    /// `information` says.
    public static func load(_ url: URL, information: InformationPolicy) throws(PoseGraphError) -> G2OFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .io(path: url.path, reason: fileErrorReason(error)) }
        return try parse(Array(data), name: url.path, information: information)
    }

    /// Parses g2o text; `name` is used in error messages.
    public static func parse(_ text: String, name: String = "<string>") throws(PoseGraphError) -> G2OGraph {
        try parse(Array(text.utf8), name: name, information: .strict).graph
    }

    /// Parses g2o bytes; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws(PoseGraphError) -> G2OGraph {
        try parse(bytes, name: name, information: .strict).graph
    }

    private struct Edge<P> { let i: Int, j: Int, z: P, info: [Double], line: Int }
    private struct Vertex<P> { let id: Int, pose: P, line: Int }

    /// Parses g2o bytes; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String,
                             information: InformationPolicy) throws(PoseGraphError) -> G2OFile {
        var buffer = bytes
        buffer.append(0)
        var v3: [Vertex<SE3>] = [], e3: [Edge<SE3>] = [], v2: [Vertex<SE2>] = [], e2: [Edge<SE2>] = []
        var fixedIds: [(id: Int, line: Int)] = []
        var result: Result<Void, PoseGraphError> = .success(())
        buffer.withUnsafeBufferPointer { buf in
            let base = buf.baseAddress!
            var lineStart = 0, lineNumber = 0
            let count = buf.count - 1
            while lineStart < count {
                var lineEnd = lineStart
                while lineEnd < count && base[lineEnd] != 10 { lineEnd += 1 }
                lineNumber += 1
                var tok = Tokenizer(base: base, position: lineStart, end: lineEnd, file: name, line: lineNumber)
                do throws(PoseGraphError) {
                    if let tag = tok.nextWord(), tag.first != "#" {
                        switch tag {
                        case "VERTEX_SE3:QUAT":
                            let id = try tok.int("vertex id")
                            let t = try tok.doubles(7, "x y z qx qy qz qw")
                            v3.append(Vertex(id: id, pose: try tok.se3(t), line: lineNumber))
                        case "EDGE_SE3:QUAT":
                            let i = try tok.int("first vertex id"), j = try tok.int("second vertex id")
                            let t = try tok.doubles(7, "x y z qx qy qz qw")
                            let u = try tok.doubles(21, "21 upper-triangular information entries")
                            e3.append(Edge(i: i, j: j, z: try tok.se3(t), info: symmetric(u, 6), line: lineNumber))
                        case "VERTEX_SE2":
                            let id = try tok.int("vertex id")
                            let t = try tok.doubles(3, "x y theta")
                            v2.append(Vertex(id: id, pose: SE2(x: t[0], y: t[1], theta: t[2]), line: lineNumber))
                        case "EDGE_SE2":
                            let i = try tok.int("first vertex id"), j = try tok.int("second vertex id")
                            let t = try tok.doubles(3, "x y theta")
                            let u = try tok.doubles(6, "6 upper-triangular information entries")
                            e2.append(Edge(i: i, j: j, z: SE2(x: t[0], y: t[1], theta: t[2]), info: symmetric(u, 3),
                                           line: lineNumber))
                        case "FIX":
                            fixedIds.append((try tok.int("vertex id"), lineNumber))
                            while tok.hasMore { fixedIds.append((try tok.int("vertex id"), lineNumber)) }
                        default:
                            throw .malformedLine(file: name, line: lineNumber, reason: "unsupported element '\(tag)'")
                        }
                        if tok.hasMore, tag != "FIX" {
                            throw .malformedLine(file: name, line: lineNumber, reason: "trailing values after \(tag)")
                        }
                    }
                } catch {
                    result = .failure(error)
                    return
                }
                lineStart = lineEnd + 1
            }
        }
        if case let .failure(e) = result { throw e }
        let is3D = !v3.isEmpty || !e3.isEmpty, is2D = !v2.isEmpty || !e2.isEmpty
        if is3D && is2D { throw .unsupportedContent(file: name, reason: "mixes SE2 and SE3 elements") }
        if is3D {
            let repaired = try checkInformation(&e3, 6, policy: information, name: name)
            return G2OFile(graph: .spatial(try build(v3, e3, fixedIds, name: name)), repairedLines: repaired)
        }
        if is2D {
            let repaired = try checkInformation(&e2, 3, policy: information, name: name)
            return G2OFile(graph: .planar(try build(v2, e2, fixedIds, name: name)), repairedLines: repaired)
        }
        throw .unsupportedContent(file: name, reason: "no vertices or edges")
    }

    /// Checks every edge's information matrix (Cholesky); under `.strict` any that is not positive
    /// definite is an error naming the first such line and the count, under
    /// `.nearestPositiveDefinite` each is replaced by its nearest positive-definite matrix.
    /// Returns the lines repaired.
    private static func checkInformation<P>(_ edges: inout [Edge<P>], _ n: Int, policy: InformationPolicy,
                                            name: String) throws(PoseGraphError) -> [Int] {
        var bad: [Int] = []
        for k in edges.indices where !InformationMatrix.isPositiveDefinite(edges[k].info, n) {
            bad.append(k)
        }
        guard let first = bad.first else { return [] }
        if policy == .strict {
            throw .indefiniteInformation(file: name, line: edges[first].line, edges: bad.count, of: edges.count)
        }
        for k in bad {
            guard let fixed = InformationMatrix.nearestPositiveDefinite(edges[k].info, n) else {
                throw .malformedLine(file: name, line: edges[k].line, reason: "information matrix is zero: no repair exists")
            }
            let e = edges[k]
            edges[k] = Edge(i: e.i, j: e.j, z: e.z, info: fixed, line: e.line)
        }
        return bad.map { edges[$0].line }
    }

    private static func build<P: ManifoldPose>(_ vertices: [Vertex<P>], _ edges: [Edge<P>],
                                               _ fixedIds: [(id: Int, line: Int)], name: String) throws(PoseGraphError) -> FactorGraph<P> {
        var known = [Int: P](minimumCapacity: vertices.count)
        var declaredOn = [Int: Int](minimumCapacity: vertices.count)
        for v in vertices {
            if let first = declaredOn[v.id] {
                throw .malformedLine(file: name, line: v.line, reason: "vertex \(v.id) declared again (first on line \(first))")
            }
            known[v.id] = v.pose; declaredOn[v.id] = v.line
        }
        var idSet = Set(known.keys)
        for e in edges {
            if e.i == e.j { throw .malformedLine(file: name, line: e.line, reason: "edge from vertex \(e.i) to itself") }
            if !vertices.isEmpty {
                for id in [e.i, e.j] where known[id] == nil {
                    throw .malformedLine(file: name, line: e.line, reason: "edge names undeclared vertex \(id)")
                }
            }
            idSet.insert(e.i); idSet.insert(e.j)
        }
        let ids = idSet.sorted()
        var index = [Int: Int](minimumCapacity: ids.count)
        for (k, id) in ids.enumerated() { index[id] = k }
        let poses = ids.map { known[$0] ?? .identity }
        var factors: [any Factor<P>] = []
        factors.reserveCapacity(edges.count)
        for e in edges {
            guard let a = index[e.i], let b = index[e.j] else { continue }   // unreachable: ids hold all
            factors.append(BetweenFactor(a, b, measured: e.z, information: e.info))
        }
        var fixed = Set<Int>()
        for f in fixedIds {
            guard let k = index[f.id] else {
                throw .malformedLine(file: name, line: f.line, reason: "FIX names unknown vertex \(f.id)")
            }
            fixed.insert(k)
        }
        var graph = FactorGraph(poses: poses, ids: ids, fixed: fixed, factors: factors)
        if known.count < ids.count {
            graph.poses = try Initialization.spanningTree(graph)
        }
        return graph
    }

    static func symmetric(_ upper: [Double], _ n: Int) -> [Double] {
        var m = [Double](repeating: 0, count: n * n)
        var k = 0
        for r in 0..<n { for c in r..<n { m[r * n + c] = upper[k]; m[c * n + r] = upper[k]; k += 1 } }
        return m
    }
}

/// Whitespace-separated tokens of one line, parsed in place with strtod/strtol.
private struct Tokenizer {
    let base: UnsafePointer<UInt8>
    var position: Int
    let end: Int
    let file: String
    let line: Int

    private mutating func skipSpace() {
        while position < end, base[position] == 32 || base[position] == 9 || base[position] == 13 { position += 1 }
    }
    private func tokenEnd(_ from: Int) -> Int {
        var e = from
        while e < end, base[e] != 32 && base[e] != 9 && base[e] != 13 { e += 1 }
        return e
    }
    var hasMore: Bool {
        var p = position
        while p < end, base[p] == 32 || base[p] == 9 || base[p] == 13 { p += 1 }
        return p < end
    }
    mutating func nextWord() -> String? {
        skipSpace()
        guard position < end else { return nil }
        let e = tokenEnd(position)
        let s = String(decoding: UnsafeBufferPointer(start: base + position, count: e - position), as: UTF8.self)
        position = e
        return s
    }
    mutating func int(_ what: String) throws(PoseGraphError) -> Int {
        skipSpace()
        guard position < end else { throw .malformedLine(file: file, line: line, reason: "missing \(what)") }
        let e = tokenEnd(position)
        var stop: UnsafeMutablePointer<CChar>?
        let start = UnsafeRawPointer(base + position).assumingMemoryBound(to: CChar.self)
        let v = strtol(start, &stop, 10)
        guard let stop, start.distance(to: UnsafePointer(stop)) == e - position else {
            throw .malformedLine(file: file, line: line, reason: "\(what) is not an integer: '\(token(position, e))'")
        }
        position = e
        return v
    }
    mutating func doubles(_ n: Int, _ what: String) throws(PoseGraphError) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        for k in 0..<n {
            skipSpace()
            guard position < end else {
                throw .malformedLine(file: file, line: line, reason: "expected \(n) numbers (\(what)), found \(k)")
            }
            let e = tokenEnd(position)
            var stop: UnsafeMutablePointer<CChar>?
            let start = UnsafeRawPointer(base + position).assumingMemoryBound(to: CChar.self)
            let v = strtod(start, &stop)
            guard let stop, start.distance(to: UnsafePointer(stop)) == e - position, v.isFinite else {
                throw .malformedLine(file: file, line: line, reason: "not a finite number: '\(token(position, e))' (\(what))")
            }
            out[k] = v
            position = e
        }
        return out
    }
    func se3(_ t: [Double]) throws(PoseGraphError) -> SE3 {
        guard let q = Quaternion(normalizing: t[6], t[3], t[4], t[5]) else {
            throw .malformedLine(file: file, line: line, reason: "zero quaternion")
        }
        return SE3(rotation: SO3(q), translation: Vec3(t[0], t[1], t[2]))
    }
    private func token(_ a: Int, _ b: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + a, count: b - a), as: UTF8.self)
    }
}
