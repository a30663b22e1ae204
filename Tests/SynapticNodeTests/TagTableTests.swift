// The data paths' per-SA values by tag: tags of removed SAs are reused, so the table stays as large as the
// most SAs installed at once however many are installed and removed over time.
import Testing
@testable import SynapticNode

@Suite struct TagTableTests {
    @Test func valuesByTag() {
        var table = TagTable<String>()
        let a = table.insert("a")
        let b = table.insert("b")
        #expect(a != b && table[a] == "a" && table[b] == "b")
        table[a] = "A"
        #expect(table[a] == "A" && table.count == 2)
    }

    /// A rekey every so often for days: install the new SA, remove the old one.
    @Test func installAndRemoveForeverStaysBounded() {
        var table = TagTable<Bool>()
        var current = [table.insert(false), table.insert(false)]   // two peers
        for round in 0..<10_000 {
            let peer = round % 2
            let next = table.insert(false)
            table.remove(current[peer])
            current[peer] = next
            table[next] = true
        }
        #expect(table.count == 2)
        #expect(table.capacity == 3)
        #expect(current.allSatisfy { table[$0] })
        // Removing twice, or a tag never handed out, changes nothing.
        table.remove(current[0])
        table.remove(current[0])
        table.remove(99)
        #expect(table.count == 1 && table.capacity == 3)
        let reused = table.insert(false)
        let (last, new) = (table.insert(false), table.insert(false))
        #expect(reused == current[0] && last != new)
        #expect(table.capacity == 4)
    }
}
