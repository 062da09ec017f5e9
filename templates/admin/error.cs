<?cs # error.cs: every error page (401, 403, 404, 4xx, 5xx); the message says what to do. ?><?cs include:"admin/header.cs" ?>
<section class="error">
  <h1><?cs var:Error.title ?></h1>
  <p class="status"><?cs var:Error.code ?> <?cs var:Error.status ?></p>
  <p class="message"><?cs var:Error.message ?></p>
  <?cs if:User.principal ?><p><a href="/admin/">Back to the home page</a></p><?cs /if ?>
</section>
<?cs include:"admin/footer.cs" ?>
