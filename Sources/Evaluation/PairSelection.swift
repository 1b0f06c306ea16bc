import Geometry

/// The unit of an RPE delta (evo's `--delta_unit`; `f` frames, `m` metres).
public enum DeltaUnit: String, Sendable, Codable, CaseIterable {
    case frames = "f"
    case meters = "m"
    case degrees = "d"
    case radians = "r"

    /// evo's name of the unit in titles.
    public var title: String {
        switch self {
        case .frames: "frames"
        case .meters: "m"
        case .degrees: "deg"
        case .radians: "rad"
        }
    }
}

/// Index pairs `(i, j)` for relative pose errors, as `evo.core.filters` selects them.
public enum PairSelection {
    /// `filter_pairs_by_index`: consecutive pairs `(0, Δ), (Δ, 2Δ), …` or, with `allPairs`,
    /// every `(i, i + Δ)`.
    public static func byIndex(count: Int, delta: Int, allPairs: Bool) -> [(Int, Int)] {
        guard delta > 0, count > 0 else { return [] }
        if allPairs { return (0..<Swift.max(0, count - delta)).map { ($0, $0 + delta) } }
        let ids = Array(stride(from: 0, to: count, by: delta))
        return Array(zip(ids, ids.dropFirst()))
    }

    /// `filter_pairs_by_path`: pairs separated by `delta` metres of travelled path.
    ///
    /// Consecutive mode starts a new pair whenever the path accumulated since the last start
    /// reaches `delta`. With `allPairs`, each `i` is paired with the later pose whose path
    /// distance from `i` is nearest to `delta` (the first such pose on ties), kept only when
    /// within `tolerance` metres.
    public static func byPath(positions: [Vec3], delta: Double, tolerance: Double, allPairs: Bool) -> [(Int, Int)] {
        guard !positions.isEmpty else { return [] }
        if !allPairs {
            var ids = [0], path = 0.0
            for i in positions.indices.dropFirst() {
                path += pathStep(positions[i], positions[i - 1])
                if path >= delta { ids.append(i); path = 0 }
            }
            return Array(zip(ids, ids.dropFirst()))
        }
        var dist = [Double](repeating: 0, count: positions.count)
        for i in positions.indices.dropFirst() { dist[i] = dist[i - 1] + pathStep(positions[i - 1], positions[i]) }
        var pairs: [(Int, Int)] = []
        let n = dist.count
        for i in 0..<(n - 1) {
            // g(j) = (dist[j] − dist[i]) − delta is non-decreasing in j, so |g| falls then rises:
            // its first minimum is at the first j with g ≥ 0, or at the start of the run of
            // equal values just before it.
            func g(_ j: Int) -> Double { (dist[j] - dist[i]) - delta }
            var lo = i + 1, hi = n
            while lo < hi {
                let mid = (lo + hi) / 2
                if g(mid) >= 0 { hi = mid } else { lo = mid + 1 }
            }
            var best = lo
            if lo > i + 1 {
                let before = lo - 1
                if lo == n || abs(g(before)) <= abs(g(lo)) {
                    var first = before
                    while first > i + 1 && g(first - 1) == g(before) { first -= 1 }
                    best = first
                }
            }
            if abs(g(best)) > tolerance { continue }
            pairs.append((i, best))
        }
        return pairs
    }

    /// `filter_pairs_by_angle`, with `delta` and `tolerance` in radians. Consecutive mode starts
    /// a new pair whenever the rotation angle accumulated over consecutive steps since the last
    /// start reaches `delta`; with `allPairs`, every `(i, j > i)` whose direct relative rotation
    /// angle lies within `delta ± tolerance` is kept (each rotation projected onto SO(3) first,
    /// as SciPy does when evo converts them).
    public static func byAngle(rotations: [Mat3], delta: Double, tolerance: Double, allPairs: Bool) -> [(Int, Int)] {
        let r = rotations.map { $0.orthonormalized ?? $0 }
        guard r.count > 1 else { return [] }
        var pairs: [(Int, Int)] = []
        if allPairs {
            let lower = delta - tolerance, upper = delta + tolerance
            for i in 0..<(r.count - 1) {
                let ri = r[i].transposed
                for j in (i + 1)..<r.count {
                    let a = PoseRelation.quaternionAngle(ri * r[j])
                    if lower <= a && a <= upper { pairs.append((i, j)) }
                }
            }
            return pairs
        }
        var accumulated = 0.0, start = 0
        for i in 0..<(r.count - 1) {
            // evo relates the matrices as given, then SciPy projects the product.
            accumulated += PoseRelation.rotationAngle(rotations[i].transposed * rotations[i + 1])
            if accumulated >= delta {
                pairs.append((start, i + 1))
                accumulated = 0
                start = i + 1
            }
        }
        return pairs
    }

    /// The distance between two positions, summed x², y², z² in order as NumPy does.
    @inline(__always) static func pathStep(_ a: Vec3, _ b: Vec3) -> Double {
        let d = a - b
        return (d.x * d.x + d.y * d.y + d.z * d.z).squareRoot()
    }
}
