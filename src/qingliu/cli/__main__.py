from qingliu.cli.main import app

app(prog_name="qingliu")
