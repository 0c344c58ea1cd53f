import { exportFormats, exportHref, exportTables } from '@/lib/export-files.ts';

/**
 * Every table behind the analysis as a file, the same the API's /export and `kdlens export`
 * give. A <details> disclosure: it opens and closes from the keyboard (Enter, Space) and says
 * so to screen readers without any script; each link is a plain download through the web's own
 * export route, which adds the signed-in user's token. No `download` attribute: the file is an
 * attachment (Content-Disposition) when the export works, and a refusal stays a page to read
 * instead of being saved under the table's name.
 */
export function DownloadMenu({ experimentId }: { experimentId: string }) {
  return (
    <details className="download-menu" data-testid="download-menu">
      <summary>Download</summary>
      <table>
        <caption className="visually-hidden">Download a table of this experiment</caption>
        <tbody>
          {exportTables.map(({ table, label }) => (
            <tr key={table}>
              <th scope="row">{label}</th>
              {exportFormats.map(({ format, label: formatLabel }) => (
                <td key={format}>
                  <a
                    href={exportHref(experimentId, table, format)}
                    aria-label={`${label}: ${formatLabel}`}
                    data-testid={`download-${table}.${format}`}
                  >
                    {formatLabel}
                  </a>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
