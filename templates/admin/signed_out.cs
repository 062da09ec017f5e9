<?cs # signed_out.cs: after Sign out: the certmint session is over, and Kerberos may sign the user in again. ?><?cs include:"admin/header.cs" ?>
<section class="signed-out">
  <div class="banner-success" role="status"><h1>You are signed out</h1></div>
  <p>Your certmint session has ended and its cookie was removed from this browser.</p>
  <p>certmint signs administrators in with Kerberos (the Windows domain login). If this computer
    is still logged in to the domain, or your browser remembers your password, opening certmint again
    signs you in automatically. To stay signed out, close the browser or log out of the computer.</p>
  <p><a href="/admin/">Sign in again</a></p>
</section>
<?cs include:"admin/footer.cs" ?>
