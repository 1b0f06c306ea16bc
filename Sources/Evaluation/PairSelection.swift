import Geometry

/// The unit of an RPE delta (evo's `--delta_unit`; `f` frames, `m` metres).
public enum DeltaUnit: String, Sendable, Codable, CaseIterable {
    case frames = "f"
    case meters = "m"

    /// evo's name of the unit in titles.
    public var title: String { self == .frames ? "frames" : "m" }
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

    /// The distance between two positions, summed x², y², z² in order as NumPy does.
    @inline(__always) static func pathStep(_ a: Vec3, _ b: Vec3) -> Double {
        let d = a - b
        return (d.x * d.x + d.y * d.y + d.z * d.z).squareRoot()
    }
}
