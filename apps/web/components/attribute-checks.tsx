/**
 * One checkbox per sensitive attribute, inside a GET form: the checked ones are taken jointly
 * (`?attribute=sex&attribute=age` is sex × age), so a chosen intersection lives in the URL.
 */
export function AttributeChecks({
  attributes,
  chosen,
}: {
  attributes: readonly string[];
  chosen: readonly string[];
}) {
  return (
    <fieldset className="attribute-checks" data-testid="attribute-checks">
      <legend>Sensitive attributes (taken jointly)</legend>
      {attributes.map((a) => (
        <label key={a} className="checkbox">
          <input type="checkbox" name="attribute" value={a} defaultChecked={chosen.includes(a)} />
          {a}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The attributes a URL names, in the test set's order, unknown ones dropped; the first attribute
 * when it names none, so a bare link shows something.
 */
export function chosenAttributes(attributes: readonly string[], requested: readonly string[]) {
  const chosen = attributes.filter((a) => requested.includes(a));
  return chosen.length > 0 ? chosen : attributes.slice(0, 1);
}
