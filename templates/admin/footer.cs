<?cs # footer.cs: the shared layout's bottom. ?></main>
<footer class="bottom">certmint — certificates for <?cs if:Customer.name ?><?cs var:Customer.name ?><?cs else ?>your organisation<?cs /if ?></footer>
</body>
</html>
