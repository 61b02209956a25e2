import Foundation

extension Notebook {
    /// A self-contained HTML report: inline CSS, images as data: URIs, no scripts or links.
    public static func html(title: String, results: [CellResult]) -> String {
        var body = ""
        var codeCells = 0
        for r in results {
            switch r.cell.kind {
            case .markdown:
                body += "<section class=\"cell markdown\">\n\(markdownToHTML(r.cell.text))</section>\n"
            case .code:
                codeCells += 1
                let k = codeCells
                let label = r.cell.title.isEmpty ? "In [\(k)]" : "In [\(k)] \(escape(r.cell.title))"
                body += "<section class=\"cell code\">\n<div class=\"label\">\(label)</div>\n"
                body += "<pre class=\"source\"><code>\(escape(r.cell.text.trimmingCharacters(in: .newlines)))</code></pre>\n"
                if !r.ran {
                    body += "<div class=\"skipped\">not run (an earlier cell failed)</div>\n"
                }
                if !r.output.isEmpty { body += "<pre class=\"output\">\(escape(r.output))</pre>\n" }
                for image in r.images {
                    let mime = image.format == .png ? "image/png" : "image/svg+xml"
                    body += "<img class=\"plot\" alt=\"plot\" src=\"data:\(mime);base64,\(image.data.base64EncodedString())\">\n"
                }
                if let error = r.error { body += "<pre class=\"error\">\(escape(error))</pre>\n" }
                body += "</section>\n"
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 960px;
                   margin: 2em auto; padding: 0 1em; color: #222; background: #fff; line-height: 1.5; }
            h1.title { font-size: 1.3em; color: #555; border-bottom: 1px solid #ddd; padding-bottom: .3em; }
            .cell { margin: 1.2em 0; }
            .label { font: 12px monospace; color: #888; margin-bottom: 2px; }
            pre { margin: 0; padding: .6em .8em; overflow-x: auto; font: 13px/1.4 "DejaVu Sans Mono", Menlo, monospace; }
            pre.source { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 4px; }
            pre.output { border-left: 3px solid #7aa7d6; margin-top: 4px; }
            pre.error { background: #fff0f0; border-left: 3px solid #d73a49; color: #86181d; margin-top: 4px; }
            .skipped { color: #999; font-style: italic; margin-top: 4px; }
            img.plot { display: block; max-width: 100%; margin-top: 6px; border: 1px solid #eee; }
            .markdown code { background: #f3f3f3; padding: 0 .2em; border-radius: 3px; }
            </style>
            </head>
            <body>
            <h1 class="title">\(escape(title))</h1>
            \(body)</body>
            </html>

            """
    }

    /// A Markdown report: code in fenced blocks, outputs and errors as text blocks, plots as
    /// data: URI images (so the report is one file).
    /// The report as Markdown. Plots are embedded as data URIs unless `imageLink` is given: it is
    /// called with (cell, image number within the cell, image) and returns the link to use (the
    /// caller writes the file), so that viewers that refuse data URIs show them.
    public static func markdown(title: String, results: [CellResult],
                                imageLink: ((Int, Int, PlotImage) -> String)? = nil) -> String {
        var out = "<!-- \(title): rendered by snip notebook -->\n\n"
        for (cellNumber, r) in results.enumerated() {
            switch r.cell.kind {
            case .markdown:
                out += r.cell.text.trimmingCharacters(in: .newlines) + "\n\n"
            case .code:
                out += "```snip\n\(r.cell.text.trimmingCharacters(in: .newlines))\n```\n\n"
                if !r.ran { out += "_not run (an earlier cell failed)_\n\n" }
                if !r.output.isEmpty { out += "```text\n\(r.output.trimmingCharacters(in: .newlines))\n```\n\n" }
                for (k, image) in r.images.enumerated() {
                    if let imageLink {
                        out += "![plot](\(imageLink(cellNumber, k, image)))\n\n"
                        continue
                    }
                    let mime = image.format == .png ? "image/png" : "image/svg+xml"
                    out += "![plot](data:\(mime);base64,\(image.data.base64EncodedString()))\n\n"
                }
                if let error = r.error { out += "```text\n\(error.trimmingCharacters(in: .newlines))\n```\n\n" }
            }
        }
        return out
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A small Markdown subset: headings, paragraphs, `-`/`*` lists, fenced code, `code`,
    /// **bold** and *emphasis*.
    static func markdownToHTML(_ text: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var inList = false
        var inCode = false
        func flushParagraph() {
            if !paragraph.isEmpty { out += "<p>\(inline(paragraph.joined(separator: " ")))</p>\n" }
            paragraph = []
        }
        func closeList() {
            if inList { out += "</ul>\n" }
            inList = false
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("```") {
                flushParagraph()
                closeList()
                out += inCode ? "</code></pre>\n" : "<pre class=\"source\"><code>"
                inCode.toggle()
                continue
            }
            if inCode {
                out += escape(line) + "\n"
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                flushParagraph()
                closeList()
            } else if let level = headingLevel(trimmed) {
                flushParagraph()
                closeList()
                let content = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                out += "<h\(level)>\(inline(content))</h\(level)>\n"
            } else if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                flushParagraph()
                if !inList { out += "<ul>\n" }
                inList = true
                out += "<li>\(inline(String(trimmed.dropFirst(2))))</li>\n"
            } else {
                closeList()
                paragraph.append(trimmed)
            }
        }
        flushParagraph()
        closeList()
        if inCode { out += "</code></pre>\n" }
        return out
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).hasPrefix(" ") else { return nil }
        return hashes
    }

    /// Inline Markdown: `code`, **bold**, *emphasis* (after HTML escaping).
    private static func inline(_ text: String) -> String {
        var out = ""
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        for (k, part) in parts.enumerated() {
            if k % 2 == 1 && k < parts.count - 1 {
                out += "<code>\(escape(String(part)))</code>"
            } else {
                var s = escape(String(part))
                s = replacePairs(s, "**", "strong")
                s = replacePairs(s, "*", "em")
                out += (k % 2 == 1 ? "`" : "") + s
            }
        }
        return out
    }

    private static func replacePairs(_ s: String, _ marker: String, _ tag: String) -> String {
        let pieces = s.components(separatedBy: marker)
        guard pieces.count >= 3 else { return s }
        var out = pieces[0]
        for k in 1..<pieces.count {
            if k % 2 == 1 && k < pieces.count - 1 {
                out += "<\(tag)>" + pieces[k]
            } else if k % 2 == 0 {
                out += "</\(tag)>" + pieces[k]
            } else {
                out += marker + pieces[k]
            }
        }
        return out
    }
}
