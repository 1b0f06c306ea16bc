import Foundation
import Frontend
import Geometry

/// How descriptors become words for the place index.
public protocol WordMapping: Sendable {
    /// The words of one descriptor (one for a vocabulary tree, one per table for hashing).
    func words(_ d: ORBDescriptor) -> [Int]
    /// Words found in more than this share of the keyframes are skipped as stop words (nil: none).
    var stopWordShare: Double? { get }
}

extension Vocabulary: WordMapping {
    public func words(_ d: ORBDescriptor) -> [Int] { [word(d)] }
    /// None: a vocabulary of a few thousand words has every word in many keyframes, and dropping
    /// the common ones left consecutive keyframes of one street with a similarity of 0.02–0.06
    /// (0.4–0.6 with all words); the TF-IDF weights discount the common words instead.
    public var stopWordShare: Double? { nil }
}

/// Words by locality-sensitive hashing, no training: each of `tables` hash functions reads
/// `bitsPerWord` fixed bit positions of the 256-bit descriptor (positions drawn once from a seed),
/// so two descriptors within a few bits of each other share most of their words.
public struct HashedWords: WordMapping {
    /// Hash tables and bits per word: 8 × 12 by default (4096 words per table).
    public let tables: Int
    public let bitsPerWord: Int
    private let positions: [[Int]]
    /// A fifth: each of the 8 × 4096 hashed words is rare, and the common ones cost the most.
    public var stopWordShare: Double? { 0.2 }

    public init(tables: Int = 8, bitsPerWord: Int = 12, seed: UInt64 = 0x10C0) {
        precondition(tables > 0 && (1...24).contains(bitsPerWord), "1–24 bits per word, at least one table")
        self.tables = tables; self.bitsPerWord = bitsPerWord
        var rng = SplitMix64(state: seed)
        positions = (0..<tables).map { _ in
            var chosen: [Int] = []
            while chosen.count < bitsPerWord {
                let p = Int(rng.next() % 256)
                if !chosen.contains(p) { chosen.append(p) }
            }
            return chosen
        }
    }

    /// One word per table (table number in the high bits).
    public func words(_ d: ORBDescriptor) -> [Int] {
        let w = [d.w0, d.w1, d.w2, d.w3]
        return positions.enumerated().map { t, bits in
            var word = 0
            for (k, p) in bits.enumerated() where (w[p >> 6] >> UInt64(p & 63)) & 1 == 1 { word |= 1 << k }
            return t << 24 | word
        }
    }
}

/// A keyframe's bag of words: word → occurrences.
public typealias BagOfWords = [Int: Int]

/// Place recognition by a bag of binary words with an inverted index (issue 8, METHOD.md §7).
///
/// A keyframe is its bag of words (from a trained `Vocabulary` or from `HashedWords`); keyframes
/// are scored against a query with TF-IDF weights through the inverted index (only keyframes
/// sharing a word are touched), normalised by the two bags' norms (cosine similarity).
public struct PlaceIndex: Sendable {
    public let mapping: any WordMapping
    /// word → (keyframe slot, occurrences)
    private var inverted: [Int: [(slot: Int, count: Int)]] = [:]
    /// Frame index of each indexed keyframe.
    private var frames: [Int] = []
    /// Norm of each keyframe's TF-IDF vector with the weights at its insertion.
    private var norms: [Double] = []

    public init(mapping: any WordMapping = HashedWords()) { self.mapping = mapping }

    /// Number of keyframes indexed.
    public var count: Int { frames.count }

    /// The bag of words (word → occurrences) of a keyframe's descriptors.
    public func bag(_ descriptors: [ORBDescriptor?]) -> BagOfWords {
        var b: BagOfWords = [:]
        for d in descriptors { if let d { for w in mapping.words(d) { b[w, default: 0] += 1 } } }
        return b
    }

    private func idf(_ word: Int) -> Double {
        let n = inverted[word]?.count ?? 0
        return log(1 + Double(frames.count + 1) / Double(n + 1))
    }

    /// Stop words (words in more than `mapping.stopWordShare` of the keyframes) say little and cost
    /// the most.
    private func isStopWord(_ w: Int) -> Bool {
        guard let share = mapping.stopWordShare else { return false }
        return (inverted[w]?.count ?? 0) > max(8, Int(Double(frames.count) * share))
    }

    private func norm(_ b: BagOfWords) -> Double {
        var s = 0.0
        for (w, c) in b { let v = Double(c) * idf(w); s += v * v }
        return s.squareRoot()
    }

    /// Adds a keyframe (frame index `frame`) to the index.
    public mutating func insert(frame: Int, bag b: BagOfWords) {
        let slot = frames.count
        frames.append(frame)
        for (w, c) in b { inverted[w, default: []].append((slot, c)) }
        norms.append(norm(b))
    }

    /// Cosine similarity of two bags under the current TF-IDF weights (0…1).
    public func similarity(_ a: BagOfWords, _ b: BagOfWords) -> Double {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var dot = 0.0
        for (w, c) in small where !isStopWord(w) { if let d = large[w] { let v = idf(w); dot += Double(c * d) * v * v } }
        let n = norm(a) * norm(b)
        return n > 0 ? dot / n : 0
    }

    /// Keyframes most similar to the bag `q`, best first, with cosine similarity of TF-IDF bags,
    /// among those whose frame index is at most `before`.
    public func query(_ q: BagOfWords, before: Int, limit: Int = 5) -> [(frame: Int, score: Double)] {
        var dot = [Double](repeating: 0, count: frames.count)
        for (w, c) in q {
            guard let postings = inverted[w], !isStopWord(w) else { continue }
            let weight = idf(w)
            let qv = Double(c) * weight
            for (slot, count) in postings where frames[slot] <= before {
                dot[slot] += qv * Double(count) * weight
            }
        }
        let qn = norm(q)
        guard qn > 0 else { return [] }
        let scored = dot.indices.filter { dot[$0] > 0 }.map { slot in (frame: frames[slot], score: dot[slot] / (qn * max(norms[slot], 1e-12))) }
        return Array(scored.sorted { $0.score > $1.score }.prefix(limit))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
