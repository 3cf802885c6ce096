using System.Net;
using System.Text;

namespace GenSharp.Output;

/// <summary>
/// A self-contained HTML report (one file, images embedded as base64 PNG data URIs, inline CSS) that
/// opens in any browser: headings, paragraphs, key-value and metric tables, figures, preformatted text.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();

    public HtmlReport(string title) => Title = title;

    public string Title { get; }

    public HtmlReport AddHeading(string text, int level = 2)
    {
        level = Math.Clamp(level, 2, 4);
        _body.Append($"<h{level}>{E(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport AddParagraph(string text)
    {
        _body.Append($"<p>{E(text)}</p>\n");
        return this;
    }

    public HtmlReport AddKeyValueTable(IEnumerable<(string Key, string Value)> rows)
    {
        _body.Append("<table class=\"kv\">\n");
        foreach (var (k, v) in rows) _body.Append($"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>\n");
        _body.Append("</table>\n");
        return this;
    }

    public HtmlReport AddTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table>\n<tr>");
        foreach (var h in headers) _body.Append($"<th>{E(h)}</th>");
        _body.Append("</tr>\n");
        foreach (var r in rows)
        {
            _body.Append("<tr>");
            foreach (var c in r) _body.Append($"<td>{E(c)}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    /// <summary>A table whose rows sort by a column when its header is clicked (numerically where the cells are numbers).</summary>
    public HtmlReport AddSortableTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<p>Click a column's header to sort by it.</p>\n");
        int start = _body.Length;
        AddTable(headers, rows);
        _body.Replace("<table>", "<table class=\"sortable\">", start, 7);
        _body.Append(SortScript);
        return this;
    }

    private const string SortScript =
        "<script>document.querySelectorAll('table.sortable th').forEach((th,i)=>th.onclick=()=>{const t=th.closest('table');" +
        "const rows=[...t.rows].slice(1);const asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';" +
        "const v=r=>{const s=r.cells[i].textContent;const n=parseFloat(s);return isNaN(n)?s:n;};" +
        "rows.sort((a,b)=>{const x=v(a),y=v(b);return (x>y?1:x<y?-1:0)*(asc?1:-1);});rows.forEach(r=>t.appendChild(r));});</script>\n";

    /// <summary>Embeds a PNG file (skipped with a note if it does not exist).</summary>
    public HtmlReport AddImage(string pngPath, string caption) =>
        File.Exists(pngPath) ? AddImage(File.ReadAllBytes(pngPath), caption) : AddParagraph($"(missing figure: {Path.GetFileName(pngPath)})");

    /// <summary>Embeds PNG bytes.</summary>
    public HtmlReport AddImage(byte[] png, string caption)
    {
        _body.Append($"<figure><img alt=\"{E(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"/>" +
            $"<figcaption>{E(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>Several PNG files side by side.</summary>
    public HtmlReport AddImageRow(IEnumerable<(string PngPath, string Caption)> images)
    {
        _body.Append("<div class=\"row\">\n");
        foreach (var (path, caption) in images)
            if (File.Exists(path))
                _body.Append($"<figure><img alt=\"{E(caption)}\" " +
                    $"src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\"/>" +
                    $"<figcaption>{E(caption)}</figcaption></figure>\n");
        _body.Append("</div>\n");
        return this;
    }

    public HtmlReport AddPreformatted(string text)
    {
        _body.Append($"<pre>{E(text)}</pre>\n");
        return this;
    }

    /// <summary>The whole document.</summary>
    public string Render() =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>" +
        $"<title>{E(Title)}</title>\n<style>{Css}</style></head>\n<body>\n<h1>{E(Title)}</h1>\n" +
        _body + $"<footer>Written by GenSharp {E(Runtime.TorchRuntime.GenSharpVersion)} " +
        $"on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</footer>\n</body></html>\n";

    /// <summary>Writes the report atomically.</summary>
    public void Save(string path) => Training.AtomicFile.WriteAllText(path, Render());

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Css =
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}" +
        "h1{border-bottom:2px solid #ccc}h2{margin-top:2em;border-bottom:1px solid #eee}" +
        "table{border-collapse:collapse;margin:1em 0}table.sortable th{cursor:pointer}" +
        "th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;font-variant-numeric:tabular-nums}" +
        "th{background:#f4f4f4}figure{display:inline-block;margin:0.5em;vertical-align:top}img{max-width:100%;border:1px solid #ddd}" +
        "figcaption{font-size:0.9em;color:#555;text-align:center}.row{display:flex;flex-wrap:wrap}.row figure{flex:1 1 180px;max-width:260px}" +
        "pre{background:#f8f8f8;padding:1em;overflow:auto;font-size:0.85em}footer{margin-top:3em;color:#888;font-size:0.8em}";
}
