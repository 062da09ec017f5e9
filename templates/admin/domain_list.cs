<?cs # domain_list.cs: the domains in the administrator's scope, with name / state filters and keyset paging. ?><?cs include:"admin/header.cs" ?>
<h1>Domains</h1>
<?cs if:Can.create ?><p><a class="button" href="/admin/domains/new">New domain</a></p><?cs /if ?>
<form class="filters" method="get" action="/admin/domains">
  <div class="field<?cs if:Errors.q ?> has-error<?cs /if ?>">
    <label for="q">Name contains</label>
    <input id="q" name="q" type="text" size="30" value="<?cs var:Filter.q ?>">
    <?cs if:Errors.q ?><p class="error-text"><?cs var:Errors.q ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.state ?> has-error<?cs /if ?>">
    <label for="state">Validation</label>
    <select id="state" name="state">
      <option value="">any</option>
      <option value="none"<?cs if:Filter.state == "none" ?> selected<?cs /if ?>>not validated</option>
      <option value="pending"<?cs if:Filter.state == "pending" ?> selected<?cs /if ?>>pending</option>
      <option value="validated"<?cs if:Filter.state == "validated" ?> selected<?cs /if ?>>validated</option>
      <option value="expired"<?cs if:Filter.state == "expired" ?> selected<?cs /if ?>>expired</option>
    </select>
    <?cs if:Errors.state ?><p class="error-text"><?cs var:Errors.state ?></p><?cs /if ?>
  </div>
  <div class="buttons"><button type="submit">Filter</button></div>
</form>
<?cs if:List.count > 0 ?>
<table class="list domains">
  <thead><tr><th>Domain</th><th>Validation</th><th>Validated</th><?cs if:Can.create ?><th>Delegations</th><?cs /if ?></tr></thead>
  <tbody>
  <?cs each:d = Domains ?><tr><td><a href="/admin/domains/<?cs var:d.id ?>"><?cs var:d.name ?></a></td><td><?cs var:d.state ?></td><td><?cs var:d.validated_at ?></td><?cs if:Can.create ?><td><?cs var:d.delegations ?></td><?cs /if ?></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs else ?><p><em>No domains.</em></p><?cs /if ?>
<p class="pager"><?cs if:List.paged ?><a href="/admin/domains?q=<?cs var:url_escape(Filter.q) ?>&amp;state=<?cs var:url_escape(Filter.state) ?>">First</a><?cs /if ?>
<?cs if:List.next ?> <a id="next" href="/admin/domains?after=<?cs var:url_escape(List.next) ?>&amp;q=<?cs var:url_escape(Filter.q) ?>&amp;state=<?cs var:url_escape(Filter.state) ?>">Next</a><?cs /if ?></p>
<?cs include:"admin/footer.cs" ?>
