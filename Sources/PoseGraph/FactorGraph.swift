import Foundation
import Geometry

/// A pose graph: pose variables, the factors over them, and the poses held fixed (the gauge).
public struct FactorGraph<Pose: ManifoldPose>: Sendable {
    /// Current estimates, by index.
    public var poses: [Pose]
    /// The external (g2o) vertex id of each index.
    public var ids: [Int]
    /// Indices of poses held constant during optimisation.
    public var fixed: Set<Int>
    /// The factors; `BetweenFactor`s are what g2o files hold.
    public var factors: [any Factor<Pose>]

    /// Creates a graph; ids default to the indices.
    public init(poses: [Pose], ids: [Int]? = nil, fixed: Set<Int> = [], factors: [any Factor<Pose>] = []) {
        self.poses = poses
        self.ids = ids ?? Array(poses.indices)
        self.fixed = fixed
        self.factors = factors
    }

    /// The relative-pose factors, in order.
    public var betweenFactors: [BetweenFactor<Pose>] { factors.compactMap { $0 as? BetweenFactor<Pose> } }

    /// `Σ rᵀ Λ r` with the residual being optimised (`Log(Z⁻¹ Ti⁻¹ Tj)` for SE(3)).
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    public func chi2(_ at: [Pose]? = nil) -> Double {
        let p = at ?? poses
        var s = 0.0
        for f in factors { s += f.squaredError(p) }
        return s
    }

    /// `Σ eᵀ Λ e` with g2o's error function for relative-pose factors (quaternion vector part
    /// for SE(3)), exactly as g2o's `computeActiveErrors(); chi2()` reports it.
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    public func g2oChi2(_ at: [Pose]? = nil) -> Double {
        let p = at ?? poses
        var s = 0.0
        for f in factors {
            if let b = f as? BetweenFactor<Pose> { s += b.g2oSquaredError(p) } else { s += f.squaredError(p) }
        }
        return s
    }

    /// Checks that every pose index in every factor is valid and the graph is connected.
    /// Throws `.disconnected` naming a vertex outside the component of the first pose.
    public func validateConnectivity() throws(PoseGraphError) {
        let n = poses.count
        guard n > 0 else { throw .invalidArgument("the pose graph has no poses") }
        var uf = UnionFind(n)
        for f in factors {
            let k = f.keys
            for key in k where key < 0 || key >= n {
                throw .invalidArgument("factor refers to pose index \(key) of \(n)")
            }
            for a in k.dropFirst() { uf.union(k[0], a) }
        }
        // Factors with a single key (priors) anchor their pose; the gauge needs one component.
        let root = uf.find(0)
        var roots = Set<Int>()
        var example = -1
        for v in 0..<n {
            let r = uf.find(v)
            roots.insert(r)
            if r != root && example < 0 { example = ids[v] }
        }
        if roots.count > 1 { throw .disconnected(components: roots.count, example: example) }
    }
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    var parent: [Int], size: [Int]
    init(_ n: Int) { parent = Array(0..<n); size = Array(repeating: 1, count: n) }
    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }
    @discardableResult mutating func union(_ a: Int, _ b: Int) -> Bool {
        var ra = find(a), rb = find(b)
        if ra == rb { return false }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra; size[ra] += size[rb]
        return true
    }
}
