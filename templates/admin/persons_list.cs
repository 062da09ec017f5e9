<?cs # persons_list.cs: the persons (client-certificate holders) in the administrator's scope, with a prefix search and keyset paging. ?><?cs include:"admin/header.cs" ?>
<h1>Persons</h1>
<p><?cs if:Can.create ?><a class="button" href="/admin/persons/new">New person</a>
<a class="button" href="/admin/persons/import">Import CSV</a><?cs /if ?>
<a class="button" href="/admin/persons/export.csv">Export CSV</a></p>
<form class="filters" method="get" action="/admin/persons">
  <div class="field<?cs if:Errors.q ?> has-error<?cs /if ?>">
    <label for="q">E-mail or name starts with</label>
    <input id="q" name="q" type="text" size="30" maxlength="254" value="<?cs var:Filter.q ?>">
    <?cs if:Errors.q ?><p class="error-text"><?cs var:Errors.q ?></p><?cs /if ?>
  </div>
  <div class="buttons"><button type="submit">Search</button></div>
</form>
<?cs if:List.count > 0 ?>
<table class="list persons">
  <thead><tr><th>E-mail</th><th>Name</th><th>Principal</th><th>Organisation</th><th>Department</th></tr></thead>
  <tbody>
  <?cs each:p = Persons ?><tr><td><a href="/admin/persons/<?cs var:p.id ?>"><?cs var:p.email ?></a></td><td><?cs var:p.first_name ?> <?cs var:p.last_name ?></td><td><?cs var:p.principal_name ?></td><td><?cs var:p.org ?></td><td><?cs var:p.dept ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs else ?><p><em>No persons.</em></p><?cs /if ?>
<p class="pager"><?cs if:List.paged ?><a href="/admin/persons?q=<?cs var:url_escape(Filter.q) ?>">First</a><?cs /if ?>
<?cs if:List.next ?> <a id="next" href="/admin/persons?after=<?cs var:url_escape(List.next) ?>&amp;q=<?cs var:url_escape(Filter.q) ?>">Next</a><?cs /if ?></p>
<?cs include:"admin/footer.cs" ?>
