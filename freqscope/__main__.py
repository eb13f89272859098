from freqscope.cli import main

main()
